// GrpcTuner for Node.js: an Optuna-like async API over the generated gRPC stubs.
//
//   const study = await createStudy("branin", { x: float(-5, 10) }, "minimize", { server: "127.0.0.1:50051" });
//   const trial = await study.ask();
//   if (await trial.report(value, 0)) await study.tell(trial, undefined, "pruned");
//   else await study.tell(trial, value);
export { createStudy, loadStudy, Study, Trial } from "./study";
export type { FrozenTrial, StudyOptions, DirectionName, FinishedState, StateName } from "./study";
export { float, int, categorical } from "./space";
export type { Params, Value, Distribution } from "./space";
export type { ConnectOptions } from "./connection";
export * as v1 from "./gen/grpctuner/v1/tuner_service";
export * as studyMessages from "./gen/grpctuner/v1/study";
export * as admin from "./gen/grpctuner/v1/admin_service";
