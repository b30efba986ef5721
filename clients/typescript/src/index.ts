// GrpcTuner for Node.js: Optuna's API in TypeScript idiom over the generated gRPC stubs.
//
//   const study = await createStudy({ direction: "minimize", sampler: samplers.tpe({ seed: 1 }), server: "127.0.0.1:50051" });
//   await study.optimize(async (trial) => (await trial.suggestFloat("x", -10, 10) - 2) ** 2, { nTrials: 100, concurrency: 4 });
//
// or with a declared space, asking and telling by hand:
//
//   const study = await createStudy("branin", { x: float(-5, 10) }, "minimize", { server: "127.0.0.1:50051" });
//   const trial = await study.ask();
//   if (await trial.report(value, 0)) await study.tell(trial, undefined, "pruned");
//   else await study.tell(trial, value);
export { createStudy, loadStudy, Study, Trial, TrialPruned } from "./study";
export type { FrozenTrial, StudyOptions, OptunaStudyOptions, OptimizeOptions, DirectionName, FinishedState, StateName } from "./study";
export { samplers, pruners } from "./samplers";
export { float, int, categorical } from "./space";
export type { Params, Value, Distribution } from "./space";
export type { ConnectOptions } from "./connection";
export * as v1 from "./gen/grpctuner/v1/tuner_service";
export * as studyMessages from "./gen/grpctuner/v1/study";
export * as admin from "./gen/grpctuner/v1/admin_service";
