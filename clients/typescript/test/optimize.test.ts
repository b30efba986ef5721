// Optuna's surface in TypeScript against a real server: define-by-run objectives through optimize(),
// proposals taken without a call, pruning, caught errors, callbacks that stop the study, and npm pack.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createStudy, float, pruners, samplers, TrialPruned } from "../src";
import { connect, unary } from "../src/connection";
import { Study as StudyMessage } from "../src/gen/grpctuner/v1/study";
import { ROOT, RunningServer, startServer } from "./server";
import { join } from "node:path";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";

let server: RunningServer;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

test("a conditional objective suggests each branch's parameters as it runs, four trials at a time", async () => {
  const study = await createStudy({ direction: "minimize", sampler: samplers.tpe({ seed: 1, nStartupTrials: 5 }), server: server.address });
  await study.optimize(async (trial) => {
    const classifier = await trial.suggestCategorical("classifier", ["svc", "forest"]);
    if (classifier === "svc") {
      return Math.abs(Math.log10(await trial.suggestFloat("c", 1e-3, 1e3, { log: true })) - 1);
    }
    const depth = await trial.suggestInt("depth", 1, 32);
    const leaf = await trial.suggestInt("leaf", 1, depth);
    assert.ok(leaf <= depth);
    return 0.5 + Math.abs(depth - 7) / 10;
  }, { nTrials: 24, concurrency: 4 });
  const trials = await study.trials();
  assert.equal(trials.length, 24);
  for (const t of trials) {
    assert.equal(t.state, "complete");
    const names = Object.keys(t.params).sort();
    assert.deepEqual(names, t.params.classifier === "svc" ? ["c", "classifier"] : ["classifier", "depth", "leaf"]);
  }
  assert.ok(Object.keys(await study.bestParams()).includes("classifier"));
});

test("pruning, caught errors and a callback that stops the study", async () => {
  class Diverged extends Error {}
  const study = await createStudy({ server: server.address, sampler: samplers.random({ seed: 2 }), pruner: pruners.median({ nStartupTrials: 3, nWarmupSteps: 1 }) });
  let calls = 0;
  await study.optimize(async (trial) => {
    const x = await trial.suggestFloat("x", 0, 1);
    trial.setUserAttr("x2", x * 2);
    if (trial.number % 5 === 4) {
      throw new Diverged("diverged");
    }
    for (let step = 0; step < 5; step++) {
      if (await trial.report(x + 1 / (step + 1), step)) {
        throw new TrialPruned();
      }
    }
    return x;
  }, {
    nTrials: 100, catch: [Diverged],
    callbacks: [async (s) => { if (++calls >= 15) s.stop(); }],
  });
  const trials = await study.trials();
  assert.equal(trials.length, 15);
  const states = new Set(trials.map((t) => t.state));
  assert.ok(states.has("pruned") && states.has("fail") && states.has("complete"), [...states].join());
  for (const t of trials.filter((t) => t.state === "complete")) {
    assert.equal(JSON.parse(t.userAttrs.x2), (t.params.x as number) * 2);
  }
  await assert.rejects(study.optimize(async () => { throw new RangeError("boom"); }, { nTrials: 3 }), RangeError);
  assert.equal((await study.trials()).filter((t) => t.state === "fail").length, trials.filter((t) => t.state === "fail").length + 1);
});

test("npm pack makes a package holding the built client", async () => {
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json"], { cwd: join(ROOT, "clients/typescript") });
  const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
  assert.ok(files.includes("dist/src/index.js") && files.includes("dist/src/index.d.ts") && files.includes("package.json"), files.join(", "));
});

test("a PBT worker reports its checkpoint and is told to exploit", async () => {
  const study = await createStudy({
    direction: "maximize", server: server.address, space: { lr: float(1e-4, 1e-1, { log: true }) }, sampler: samplers.random({ seed: 4 }),
    pruner: pruners.pbt({ perturbationInterval: 1, resampleProbability: 0 }),
  });
  const trials = await study.ask(4);
  for (let i = 0; i < 3; i++) {
    assert.equal(await trials[i].report(0.5 + 0.1 * i, 0, { checkpoint: `/shared/ck/${trials[i].number}` }), false);
    assert.equal(trials[i].exploit, undefined);
  }
  const lagging = trials[3];
  assert.equal(await lagging.report(0.1, 0, { checkpoint: "/shared/ck/lagging" }), false);
  assert.equal(lagging.exploit?.donorTrial, trials[2].number);
  assert.equal(lagging.exploit?.donorCheckpoint, `/shared/ck/${trials[2].number}`);
  assert.deepEqual(lagging.params, lagging.exploit?.params);
  for (const t of trials) {
    await study.tell(t, 0.5);
  }
});

test("a PBT worker loads its donor's checkpoint and trains on with the new params", async () => {
  const study = await createStudy({
    direction: "maximize", server: server.address, space: { lr: float(1e-3, 1.0, { log: true }) }, sampler: samplers.random({ seed: 4 }),
    pruner: pruners.pbt({ perturbationInterval: 1, resampleProbability: 0, populationSize: 4 }),
  });
  const members = await study.ask(4);
  const folder = await mkdtemp(join(tmpdir(), "pbt-ts-"));
  // Each member's "model" is one weight that training raises by its learning rate; member 3 starts far behind.
  const weights = new Map(members.map((m, i) => [m.number, -i]));
  const exploited: Array<{ step: number; lagging: number; donor: number; loaded: number; lr: number }> = [];
  for (let step = 0; step < 2; step++) {
    for (const m of members) {
      weights.set(m.number, weights.get(m.number)! + (m.params.lr as number));
      const checkpoint = join(folder, `trial-${m.number}-step-${step}.json`);
      await writeFile(checkpoint, JSON.stringify({ weight: weights.get(m.number) }));
      await m.report(weights.get(m.number)!, step, { checkpoint });
      if (m.exploit !== undefined) {
        weights.set(m.number, JSON.parse(await readFile(m.exploit.donorCheckpoint, "utf8")).weight);
        exploited.push({ step, lagging: m.number, donor: m.exploit.donorTrial, loaded: weights.get(m.number)!, lr: m.params.lr as number });
      }
    }
  }
  const first = exploited[0];
  assert.deepEqual([first.step, first.lagging, first.donor], [0, members[3].number, members[0].number]);
  const donorRate = members[0].params.lr as number;
  assert.ok(Math.abs(first.loaded - donorRate) < 1e-12, `loaded ${first.loaded}, the donor's weight was ${donorRate}`);
  assert.ok([Math.min(donorRate * 1.2, 1.0), donorRate * 0.8].some((r) => Math.abs(r - first.lr) < 1e-12), `lr ${first.lr} from ${donorRate}`);
  // The next epoch trains the donor's weights with the perturbed rate: the report shows both.
  const lagging = (await study.trials()).find((t) => t.number === first.lagging)!;
  assert.ok(Math.abs(lagging.intermediateValues.get(1)! - (first.loaded + first.lr)) < 1e-12);
  for (const m of members) {
    await study.tell(m, weights.get(m.number)!);
  }
  await rm(folder, { recursive: true });
});

test("optimize() ends once the PBT population has started", async () => {
  const study = await createStudy({
    direction: "maximize", server: server.address, space: { lr: float(1e-4, 1e-1, { log: true }) }, pruner: pruners.pbt({ populationSize: 3 }),
  });
  await study.optimize((trial) => trial.params.lr as number, { nTrials: 10, concurrency: 2 });
  assert.equal((await study.trials()).length, 3);
  await assert.rejects(study.ask(), (error: Error) => error.message.includes("pruner.pbt.population_size"));
});

test("what each trial cost goes with its tell, and the study sums it", async () => {
  const study = await createStudy({ server: server.address, sampler: samplers.random({ seed: 5 }) });
  await study.optimize(async (trial) => {
    trial.setCompute({ samples: 100, epochs: 1, deviceKind: "cpu", deviceCount: 1 });
    return trial.suggestFloat("x", 0, 1);
  }, { nTrials: 3 });
  const trials = await study.trials();
  const client = connect({ server: server.address });
  const stored = await unary<StudyMessage>((done) => client.getStudy({ study: study.name }, done));
  assert.equal(trials.length, 3);
  assert.equal(stored.computeTotal?.samples, 300n);
  assert.equal(stored.computeTotal?.epochs, 3n);
  assert.ok((stored.computeTotal?.wallSeconds ?? 0) > 0);
  client.close();
});
