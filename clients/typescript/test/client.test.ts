// The TypeScript client against a real server: the Optuna-like API and the error statuses.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { ServiceError, status } from "@grpc/grpc-js";
import { categorical, createStudy, float, int, loadStudy, StudyOptions } from "../src";
import { connect } from "../src/connection";
import { RunningServer, startServer } from "./server";

let server: RunningServer;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

const SPACE = {
  x: float(-5, 10),
  n: int(1, 4),
  opt: categorical(["adam", "sgd"]),
  momentum: float(0, 1, { parent: "opt", when: ["sgd"] }),
};
const name = () => `ts-${randomUUID().slice(0, 10)}`;
const opts = (extra: StudyOptions = {}): StudyOptions => ({ server: server.address, ...extra });

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  assert.fail("the call succeeded");
}

test("ask, report and tell; the best trial is the smallest value", async () => {
  const study = await createStudy(name(), SPACE, "minimize", opts({ sampler: { seed: 3n, kind: { $case: "random", value: {} } } }));
  const values: number[] = [];
  for (let i = 0; i < 6; i++) {
    const trial = await study.ask();
    assert.ok(["x", "n", "opt"].every((k) => k in trial.params));
    assert.equal("momentum" in trial.params, trial.params.opt === "sgd");
    assert.ok(Number.isInteger(trial.params.n));
    const value = Math.abs(trial.params.x as number);
    assert.equal(await trial.report(value, 0), false);
    const told = await study.tell(trial, value);
    assert.equal(told.state, "complete");
    assert.deepEqual([...told.intermediateValues], [[0, value]]);
    values.push(value);
  }
  assert.equal((await study.bestTrial())?.value, Math.min(...values));
  assert.equal((await study.trials()).length, 6);
  study.close();
});

test("the median pruner answers through report", async () => {
  const pruner: StudyOptions["pruner"] = {
    kind: { $case: "percentile", value: { percentile: 0, nStartupTrials: 1, nWarmupSteps: 0, intervalSteps: 0, nMinTrials: 0 } },
  };
  const study = await createStudy(name(), { x: float(0, 1) }, "minimize", opts({ pruner }));
  const good = await study.ask();
  await good.report(0.1, 0);
  await study.tell(good, 0.1);
  const bad = await study.ask();
  assert.equal(await bad.report(0.9, 0), true);
  assert.equal((await study.tell(bad, undefined, "pruned")).state, "pruned");
  study.close();
});

test("enqueued params run first, typed by the study's space", async () => {
  const study = await createStudy(name(), SPACE, "minimize", opts());
  // 2 is a whole number: it must still travel as a float, since x is a float parameter.
  assert.equal(await study.enqueue({ x: 2, n: 2, opt: "adam" }), 1);
  const trial = await study.ask();
  assert.deepEqual(trial.params, { x: 2, n: 2, opt: "adam" });
  await study.tell(trial, 2);
  study.close();
});

test("watch streams a snapshot, then changes from a cursor", async () => {
  const study = await createStudy(name(), { x: float(0, 1) }, "maximize", opts());
  const first = await study.ask();
  await study.tell(first, 0.5);
  let cursor = "";
  for await (const event of study.watch()) {
    assert.equal(event.trial.number, first.number);
    assert.equal(event.trial.state, "complete");
    cursor = event.cursor;
    break;
  }
  const later = await study.ask();
  for await (const event of study.watch(cursor)) {
    assert.equal(event.trial.number, later.number);
    assert.equal(event.trial.state, "running");
    break;
  }
  await study.tell(later, 0.7);
  study.close();
});

test("errors carry their status and name the field", async () => {
  assert.equal((await rejection(loadStudy("no-such-study-here", opts()))).code, status.NOT_FOUND);

  const invalid = await rejection(createStudy(name(), { x: float(2, 1) }, "minimize", opts()));
  assert.equal(invalid.code, status.INVALID_ARGUMENT);
  assert.match(invalid.details, /search_space\.params\[0\]\.float\.high/);

  const taken = name();
  (await createStudy(taken, { x: float(0, 1) }, "minimize", opts())).close();
  assert.equal((await rejection(createStudy(taken, { x: float(0, 1) }, "minimize", opts()))).code, status.ALREADY_EXISTS);
  const loaded = await createStudy(taken, { x: float(0, 1) }, "minimize", opts({ loadIfExists: true }));
  assert.equal(loaded.name, taken);

  const trial = await loaded.ask();
  await loaded.tell(trial, 1);
  assert.equal((await rejection(loaded.tell(trial, 2))).code, status.FAILED_PRECONDITION);
  const outside = await rejection(loaded.enqueue({ x: 5 }));
  assert.equal(outside.code, status.INVALID_ARGUMENT);
  assert.match(outside.details, /params\[x\]/);
  loaded.close();
});

test("every address form reaches the server; others name the forms", async () => {
  const port = server.address.split(":").pop();
  let last = "";
  for (const address of [server.address, `http://${server.address}`, `dns:///${server.address}`, `localhost:${port}`]) {
    last = name();
    (await createStudy(last, { x: float(0, 1) }, "minimize", { server: address })).close();
  }
  process.env.GRPCTUNER_SERVER = `http://${server.address}`;
  try {
    const loaded = await loadStudy(last, {});
    assert.equal(loaded.name, last);
    loaded.close();
  } finally {
    delete process.env.GRPCTUNER_SERVER;
  }
  for (const bad of ["tuner", "ftp://tuner:1", "http://tuner"]) {
    assert.throws(() => connect({ server: bad }), /is not a server address: give host:port, http:\/\/host:port, https:\/\/host:port or dns:\/\/\/name:port/);
  }
});

test("a direction typo names the allowed values", async () => {
  await assert.rejects(createStudy(name(), { x: float(0, 1) }, "minimise" as "minimize", opts()), /direction: 'minimise' is not one of 'minimize', 'maximize'/);
});
