// Studies and trials over gRPC, Optuna style, with async calls. Heartbeats run on a timer until the
// trial is told.
import { randomUUID } from "node:crypto";
import { ServiceError, status } from "@grpc/grpc-js";
import { Duration } from "./gen/google/protobuf/duration";
import { Direction, PrunerConfig, SamplerConfig, Study as StudyMessage } from "./gen/grpctuner/v1/study";
import { Trial as TrialMessage, TrialState } from "./gen/grpctuner/v1/trial";
import {
  AskResponse, Decision, EnqueueTrialResponse, GetBestTrialsResponse, HeartbeatResponse, ListTrialsResponse, ReportResponse,
  TrialEvent, TunerServiceClient,
} from "./gen/grpctuner/v1/tuner_service";
import { connect, ConnectOptions, unary } from "./connection";
import { Distribution, fromParams, Params, spaceToProto, toParams } from "./space";

export type DirectionName = "minimize" | "maximize";
export type FinishedState = "complete" | "pruned" | "fail";
export type StateName = "running" | "waiting" | FinishedState;

const DIRECTIONS: Record<DirectionName, Direction> = {
  minimize: Direction.DIRECTION_MINIMIZE,
  maximize: Direction.DIRECTION_MAXIMIZE,
};
const FINISHED: Record<FinishedState, TrialState> = {
  complete: TrialState.TRIAL_STATE_COMPLETE,
  pruned: TrialState.TRIAL_STATE_PRUNED,
  fail: TrialState.TRIAL_STATE_FAIL,
};

export interface StudyOptions extends ConnectOptions {
  sampler?: SamplerConfig;
  pruner?: PrunerConfig;
  maxRetries?: number;
  loadIfExists?: boolean;
  /** Who runs the trials; a random "node-..." id when unset. */
  workerId?: string;
  /** Lease length of asked trials; heartbeats renew it every third of it. Default 60. */
  leaseSeconds?: number;
}

/** A trial as stored. */
export interface FrozenTrial {
  number: number;
  state: StateName;
  values: number[];
  /** The first objective's value, when complete. */
  value: number | undefined;
  params: Params;
  /** Intermediate values by step. */
  intermediateValues: Map<number, number>;
  userAttrs: Record<string, string>;
}

function lease(seconds: number): Duration {
  return { seconds: BigInt(Math.floor(seconds)), nanos: Math.round((seconds % 1) * 1e9) };
}

export function freeze(message: TrialMessage): FrozenTrial {
  return {
    number: Number(message.number),
    state: TrialState[message.state].replace("TRIAL_STATE_", "").toLowerCase() as StateName,
    values: message.values,
    value: message.values[0],
    params: fromParams(message.params),
    intermediateValues: new Map(message.intermediateValues.map((iv) => [Number(iv.step), iv.value])),
    userAttrs: message.userAttrs,
  };
}

export async function createStudy(
  name: string,
  space: Record<string, Distribution>,
  direction: DirectionName | DirectionName[] = "minimize",
  options: StudyOptions = {},
): Promise<Study> {
  const directions = (Array.isArray(direction) ? direction : [direction]).map(directionOf);
  const client = connect(options);
  const message = await unary<StudyMessage>((done) => client.createStudy({
    name,
    searchSpace: spaceToProto(space),
    directions,
    sampler: options.sampler,
    pruner: options.pruner,
    maxRetries: options.maxRetries ?? 0,
    userAttrs: {},
    loadIfExists: options.loadIfExists ?? false,
  }, done));
  return new Study(client, message, options);
}

export async function loadStudy(name: string, options: StudyOptions = {}): Promise<Study> {
  const client = connect(options);
  return new Study(client, await unary<StudyMessage>((done) => client.getStudy({ study: name }, done)), options);
}

/** A running trial: its number and params, reports, and a heartbeat timer. */
export class Trial {
  readonly number: number;
  readonly params: Params;
  private readonly beats: NodeJS.Timeout;

  // studyId: the study's incarnation, so that a call for a study deleted and created again under its name is NOT_FOUND.
  constructor(private readonly client: TunerServiceClient, private readonly study: string, private readonly studyId: string, message: TrialMessage, leaseSeconds: number) {
    this.number = Number(message.number);
    this.params = fromParams(message.params);
    this.beats = setInterval(() => this.heartbeat(leaseSeconds), Math.max(leaseSeconds / 3, 0.5) * 1000);
    this.beats.unref();
  }

  /** Reports an intermediate value; true means the pruner says stop (then tell "pruned"). */
  async report(value: number, step: number): Promise<boolean> {
    const response = await unary<ReportResponse>((done) => this.client.report({
      study: this.study, studyId: this.studyId, trialNumber: BigInt(this.number), step: BigInt(step), value, checkpoint: "",
    }, done));
    return response.decision === Decision.DECISION_PRUNE;
  }

  /** @internal */
  stopHeartbeats(): void {
    clearInterval(this.beats);
  }

  private heartbeat(leaseSeconds: number): void {
    unary<HeartbeatResponse>((done) => this.client.heartbeat({ study: this.study, studyId: this.studyId, trialNumber: BigInt(this.number), leaseDuration: lease(leaseSeconds) }, done))
      .catch((error: ServiceError) => {
        // The trial ended elsewhere (told, expired, study deleted): nothing left to keep alive.
        if (error.code === status.FAILED_PRECONDITION || error.code === status.NOT_FOUND) {
          this.stopHeartbeats();
        }
      });
  }
}

export class Study {
  readonly name: string;
  private readonly workerId: string;
  private readonly leaseSeconds: number;

  constructor(private readonly client: TunerServiceClient, readonly message: StudyMessage, options: StudyOptions) {
    this.name = message.name;
    this.workerId = options.workerId ?? `node-${randomUUID().slice(0, 8)}`;
    this.leaseSeconds = options.leaseSeconds ?? 60;
  }

  async ask(): Promise<Trial> {
    const response = await unary<AskResponse>((done) => this.client.ask({
      study: this.name, workerId: this.workerId, count: 1, requestId: randomUUID(),
      leaseDuration: lease(this.leaseSeconds),
    }, done));
    return new Trial(this.client, this.name, this.message.studyId, response.trials[0], this.leaseSeconds);
  }

  /** Finishes a trial: a value (or one per objective) for "complete", none for "pruned" or "fail". */
  async tell(trial: Trial, values?: number | number[], state: FinishedState = "complete", reason = ""): Promise<FrozenTrial> {
    trial.stopHeartbeats();
    const told = await unary<TrialMessage>((done) => this.client.tell({
      study: this.name, studyId: this.message.studyId, trialNumber: BigInt(trial.number), state: FINISHED[state],
      values: values === undefined ? [] : Array.isArray(values) ? values : [values],
      reason, userAttrs: {}, retry: false,
    }, done));
    return freeze(told);
  }

  /** Runs these params before the sampler's next suggestion; returns the queue length. */
  async enqueue(params: Params): Promise<number> {
    const response = await unary<EnqueueTrialResponse>((done) => this.client.enqueueTrial({
      study: this.name, params: toParams(params, this.message.searchSpace), userAttrs: {},
    }, done));
    return Number(response.queueLength);
  }

  /** The best trial, or the Pareto front with several objectives. */
  async bestTrials(): Promise<FrozenTrial[]> {
    const response = await unary<GetBestTrialsResponse>((done) => this.client.getBestTrials({ study: this.name, referencePoint: [] }, done));
    return response.trials.map(freeze);
  }

  async bestTrial(): Promise<FrozenTrial | undefined> {
    return (await this.bestTrials())[0];
  }

  async trials(): Promise<FrozenTrial[]> {
    const result: FrozenTrial[] = [];
    let pageToken = "";
    do {
      const page = await unary<ListTrialsResponse>((done) => this.client.listTrials({ study: this.name, states: [], pageSize: 0, pageToken }, done));
      result.push(...page.trials.map(freeze));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return result;
  }

  /** Every trial change from a cursor (empty: a snapshot first); break out of the loop to stop. */
  async *watch(cursor = ""): AsyncGenerator<{ cursor: string; trial: FrozenTrial }> {
    const stream = this.client.watchStudy({ study: this.name, cursor });
    try {
      for await (const event of stream as AsyncIterable<TrialEvent>) {
        if (event.trial !== undefined) {
          yield { cursor: event.cursor, trial: freeze(event.trial) };
        }
      }
    } finally {
      stream.cancel();
    }
  }

  /** Closes the channel. */
  close(): void {
    this.client.close();
  }
}

function directionOf(name: string): Direction {
  if (!Object.hasOwn(DIRECTIONS, name)) {
    throw new TypeError(`direction: '${name}' is not one of ${Object.keys(DIRECTIONS).map((d) => `'${d}'`).join(", ")}`);
  }
  return DIRECTIONS[name as DirectionName];
}
