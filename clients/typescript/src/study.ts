// Studies and trials over gRPC, Optuna style, with async calls. Heartbeats run on a timer until the
// trial is told.
import { randomUUID } from "node:crypto";
import { ServiceError, status } from "@grpc/grpc-js";
import { Duration } from "./gen/google/protobuf/duration";
import { Direction, PrunerConfig, SamplerConfig, Study as StudyMessage } from "./gen/grpctuner/v1/study";
import { Compute, Trial as TrialMessage, TrialState } from "./gen/grpctuner/v1/trial";
import { Distribution as WireDistribution } from "./gen/grpctuner/v1/search_space";
import {
  AskResponse, Decision, EnqueueTrialResponse, GetBestTrialsResponse, HeartbeatResponse, ListTrialsResponse, ReportResponse,
  SuggestedParams, SuggestResponse, TrialEvent, TunerServiceClient,
} from "./gen/grpctuner/v1/tuner_service";
import { connect, ConnectOptions, unary } from "./connection";
import { categorical, Distribution, float, fromParams, fromValue, int, Params, sameDistribution, spaceToProto, toParams, Value } from "./space";
import { pruners } from "./samplers";

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

/** Thrown by an objective to stop its trial early (Optuna's TrialPruned): optimize() tells it "pruned". */
export class TrialPruned extends Error {
  constructor(message = "pruned") {
    super(message);
    this.name = "TrialPruned";
  }
}

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

/** Optuna's create_study in TypeScript idiom: no declared space (the objective suggests as it runs), the median pruner by default. */
export interface OptunaStudyOptions extends StudyOptions {
  studyName?: string;
  direction?: DirectionName;
  directions?: DirectionName[];
  /** Parameters declared up front, if any. */
  space?: Record<string, Distribution>;
}

export async function createStudy(options: OptunaStudyOptions): Promise<Study>;
export async function createStudy(name: string, space: Record<string, Distribution>, direction?: DirectionName | DirectionName[], options?: StudyOptions): Promise<Study>;
export async function createStudy(
  nameOrOptions: string | OptunaStudyOptions,
  declared: Record<string, Distribution> = {},
  direction: DirectionName | DirectionName[] = "minimize",
  studyOptions: StudyOptions = {},
): Promise<Study> {
  let name: string;
  let space = declared;
  let options = studyOptions;
  if (typeof nameOrOptions === "string") {
    name = nameOrOptions;
  } else {
    if (nameOrOptions.direction !== undefined && nameOrOptions.directions !== undefined) {
      throw new TypeError("direction, directions: give one of them, not both");
    }
    name = nameOrOptions.studyName ?? `no-name-${randomUUID()}`;
    space = nameOrOptions.space ?? {};
    direction = nameOrOptions.directions ?? nameOrOptions.direction ?? "minimize";
    const count = Array.isArray(direction) ? direction.length : 1;
    options = { ...nameOrOptions, pruner: nameOrOptions.pruner ?? (count === 1 ? pruners.median() : undefined) };
  }
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

/**
 * A running trial: its number and params, reports, and a heartbeat timer. suggest* give a parameter as
 * the objective asks (define-by-run): the value the server proposed for that distribution with the Ask
 * is taken without a call and recorded with the next one; anything else is one Suggest call. Await
 * each suggest before the next.
 */
export class Trial {
  readonly number: number;
  private readonly given = new Map<string, { distribution: WireDistribution | undefined; value: Value }>();
  private readonly taken: Record<string, WireDistribution> = {};
  private readonly attrs: Record<string, string> = {};
  private prune = false;
  private readonly counts = { samples: 0n, epochs: 0n, deviceKind: "", deviceCount: 0 };
  private readonly started = { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
  /** Set when a PBT report answered EXPLOIT: load the donor's checkpoint and go on with params (already this trial's). */
  exploit: { donorTrial: number; donorCheckpoint: string; params: Params } | undefined;
  private readonly beats: NodeJS.Timeout;

  // studyId: the study's incarnation, so that a call for a study deleted and created again under its name is NOT_FOUND.
  constructor(private readonly client: TunerServiceClient, private readonly study: string, private readonly studyId: string,
    private readonly message: TrialMessage, leaseSeconds: number, private readonly workerId = "") {
    this.number = Number(message.number);
    for (const [name, value] of Object.entries(fromParams(message.params))) {
      this.given.set(name, { distribution: undefined, value });
    }
    this.beats = setInterval(() => this.heartbeat(leaseSeconds), Math.max(leaseSeconds / 3, 0.5) * 1000);
    this.beats.unref();
  }

  /** The declared parameters and those suggested so far. */
  get params(): Params {
    return Object.fromEntries([...this.given].map(([name, g]) => [name, g.value]));
  }

  async suggestFloat(name: string, low: number, high: number, options: { step?: number; log?: boolean } = {}): Promise<number> {
    return Number(await this.suggest(name, float(low, high, options)));
  }

  async suggestInt(name: string, low: number, high: number, options: { step?: number; log?: boolean } = {}): Promise<number> {
    return Number(await this.suggest(name, int(low, high, options)));
  }

  async suggestCategorical<T extends Value>(name: string, choices: T[]): Promise<T> {
    return await this.suggest(name, categorical(choices)) as T;
  }

  /** The value of a parameter for a distribution: the one given before, a proposal made for it, or a new one from the server. */
  async suggest(name: string, distribution: Distribution): Promise<Value> {
    const wire = distribution.toDistribution();
    const known = this.given.get(name);
    if (known?.distribution !== undefined && sameDistribution(known.distribution, wire)) {
      return known.value;
    }
    const proposal = known === undefined ? this.message.proposals[name] : undefined;
    let value: Value;
    if (proposal?.value !== undefined && sameDistribution(proposal.distribution, wire)) {
      this.taken[name] = wire;
      value = fromValue(proposal.value);
    } else {
      const response = await unary<SuggestResponse>((done) => this.client.suggest({
        study: this.study, studyId: this.studyId, trialNumber: BigInt(this.number), workerId: this.workerId, name, distribution: wire, suggested: this.pending(),
      }, done));
      this.clearTaken();
      value = fromValue(response.value!);
    }
    this.given.set(name, { distribution: wire, value });
    return value;
  }

  /**
   * Reports an intermediate value, with where this step's checkpoint is (a path every worker can read, for PBT);
   * true (and shouldPrune() from then on) means the pruner says stop. Under PBT the answer may instead be EXPLOIT:
   * trial.exploit then holds the donor's checkpoint and the new params, which trial.params already shows.
   */
  async report(value: number, step: number, options: { checkpoint?: string } = {}): Promise<boolean> {
    const response = await unary<ReportResponse>((done) => this.client.report({
      study: this.study, studyId: this.studyId, trialNumber: BigInt(this.number), step: BigInt(step), value, checkpoint: options.checkpoint ?? "",
      suggested: this.pending(), compute: this.measured(),
    }, done));
    this.clearTaken();
    this.exploit = undefined;
    if (response.decision === Decision.DECISION_EXPLOIT && response.exploit !== undefined) {
      const params = fromParams(response.exploit.params);
      this.exploit = { donorTrial: Number(response.exploit.donorTrial), donorCheckpoint: response.exploit.donorCheckpoint, params };
      for (const [name, value] of Object.entries(params)) {
        this.given.set(name, { distribution: this.given.get(name)?.distribution, value });
      }
    }
    this.prune = response.decision === Decision.DECISION_PRUNE;
    return this.prune;
  }

  shouldPrune(): boolean {
    return this.prune;
  }

  /** Totals of what the trial has gone through so far; sent with every report and the tell, beside the wall and CPU seconds it measures itself (CPU: this process's). */
  setCompute(totals: { samples?: number; epochs?: number; deviceKind?: string; deviceCount?: number }): void {
    this.counts.samples = totals.samples === undefined ? this.counts.samples : BigInt(totals.samples);
    this.counts.epochs = totals.epochs === undefined ? this.counts.epochs : BigInt(totals.epochs);
    this.counts.deviceKind = totals.deviceKind ?? this.counts.deviceKind;
    this.counts.deviceCount = totals.deviceCount ?? this.counts.deviceCount;
  }

  /** @internal What the trial cost so far. */
  measured(): Compute {
    const cpu = process.cpuUsage(this.started.cpu);
    return {
      wallSeconds: Number(process.hrtime.bigint() - this.started.wall) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6, ...this.counts,
    };
  }

  /** Kept with the trial and sent with its Tell (a non-string as JSON). */
  setUserAttr(key: string, value: unknown): void {
    this.attrs[key] = typeof value === "string" ? value : JSON.stringify(value);
  }

  /** @internal What the Tell carries besides the result. */
  tellExtras(): { suggested: SuggestedParams | undefined; userAttrs: Record<string, string>; compute: Compute } {
    const extras = { suggested: this.pending(), userAttrs: { ...this.attrs }, compute: this.measured() };
    this.clearTaken();
    return extras;
  }

  /** @internal */
  stopHeartbeats(): void {
    clearInterval(this.beats);
  }

  private pending(): SuggestedParams | undefined {
    return Object.keys(this.taken).length === 0 ? undefined : { params: { ...this.taken } };
  }

  private clearTaken(): void {
    for (const name of Object.keys(this.taken)) {
      delete this.taken[name];
    }
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

export interface OptimizeOptions {
  nTrials?: number;
  /** Seconds after which no new trial starts. */
  timeout?: number;
  /** Trials run at once (Optuna's n_jobs). Default 1. */
  concurrency?: number;
  /** Error classes that fail the trial and go on; any other fails it and ends optimize() with that error. */
  catch?: Array<new (...args: never[]) => Error>;
  callbacks?: Array<(study: Study, trial: FrozenTrial) => void | Promise<void>>;
}

export class Study {
  readonly name: string;
  private readonly workerId: string;
  private readonly leaseSeconds: number;
  private stopped = false;

  constructor(private readonly client: TunerServiceClient, readonly message: StudyMessage, options: StudyOptions) {
    this.name = message.name;
    this.workerId = options.workerId ?? `node-${randomUUID().slice(0, 8)}`;
    this.leaseSeconds = options.leaseSeconds ?? 60;
  }

  async ask(): Promise<Trial>;
  async ask(count: number): Promise<Trial[]>;
  async ask(count?: number): Promise<Trial | Trial[]> {
    const response = await unary<AskResponse>((done) => this.client.ask({
      study: this.name, workerId: this.workerId, count: count ?? 1, requestId: randomUUID(),
      leaseDuration: lease(this.leaseSeconds),
    }, done));
    const trials = response.trials.map((t) => new Trial(this.client, this.name, this.message.studyId, t, this.leaseSeconds, this.workerId));
    return count === undefined ? trials[0] : trials;
  }

  /** Finishes a trial: a value (or one per objective) for "complete", none for "pruned" or "fail". */
  async tell(trial: Trial, values?: number | number[], state: FinishedState = "complete", reason = ""): Promise<FrozenTrial> {
    trial.stopHeartbeats();
    const { suggested, userAttrs, compute } = trial.tellExtras();
    const told = await unary<TrialMessage>((done) => this.client.tell({
      study: this.name, studyId: this.message.studyId, trialNumber: BigInt(trial.number), state: FINISHED[state],
      values: values === undefined ? [] : Array.isArray(values) ? values : [values],
      reason, userAttrs, retry: false, suggested, compute,
    }, done));
    return freeze(told);
  }

  /**
   * Optuna's optimize: runs the objective on trials until nTrials have run, timeout seconds have passed,
   * stop() is called or the server has no trial left to start (a grid handed out, a PBT population
   * complete), concurrency at a time. TrialPruned tells "pruned"; an error of a class in catch
   * tells "fail" and goes on; any other tells "fail" and rejects. A result that is not one finite number per
   * objective is a "fail".
   */
  async optimize(objective: (trial: Trial) => Promise<number | number[]> | number | number[], options: OptimizeOptions = {}): Promise<void> {
    const deadline = options.timeout === undefined ? Infinity : Date.now() + (options.timeout * 1000);
    let started = 0;
    this.stopped = false;
    const claim = () => !this.stopped && (options.nTrials === undefined || started < options.nTrials) && Date.now() < deadline && ++started > 0;
    const work = async () => {
      while (claim()) {
        const frozen = await this.runOne(objective, options.catch ?? []);
        if (frozen === undefined) {
          // Nothing left to hand out: as Optuna's GridSampler stops the study once its grid is done.
          this.stopped = true;
          return;
        }
        for (const callback of options.callbacks ?? []) {
          await callback(this, frozen);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, work));
    } catch (error) {
      this.stopped = true;
      throw error;
    }
  }

  /** Ends optimize() after the trials now running. */
  stop(): void {
    this.stopped = true;
  }

  async bestParams(): Promise<Params> {
    const best = await this.bestTrial();
    if (best === undefined) {
      throw new Error(`bestParams: study '${this.name}' has no complete trial yet`);
    }
    return best.params;
  }

  /** Runs one trial; undefined when the server has none left to start (a grid handed out, a PBT population complete). */
  private async runOne(objective: (trial: Trial) => Promise<number | number[]> | number | number[], caught: Array<new (...args: never[]) => Error>): Promise<FrozenTrial | undefined> {
    let trial: Trial;
    try {
      trial = await this.ask();
    } catch (error) {
      if ((error as ServiceError).code === status.OUT_OF_RANGE) {
        return undefined;
      }
      throw error;
    }
    let result: number | number[];
    try {
      result = await objective(trial);
    } catch (error) {
      if (error instanceof TrialPruned) {
        return this.tell(trial, undefined, "pruned", error.message);
      }
      const frozen = await this.tell(trial, undefined, "fail", String(error).slice(0, 1024));
      if (caught.some((kind) => error instanceof kind)) {
        return frozen;
      }
      throw error;
    }
    const values = Array.isArray(result) ? result : [result];
    if (values.length !== this.message.directions.length || !values.every((v) => typeof v === "number" && Number.isFinite(v))) {
      return this.tell(trial, undefined, "fail", `the objective returned ${JSON.stringify(result)}, not one finite number per objective`);
    }
    return this.tell(trial, values);
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
