// Samplers and pruners as typed option objects, with Optuna's names and defaults; the server runs them.
import { PrunerConfig, SamplerConfig } from "./gen/grpctuner/v1/study";

export interface SeedOption {
  seed?: number | bigint;
}

function config(kind: SamplerConfig["kind"], options: SeedOption): SamplerConfig {
  return { seed: options.seed === undefined ? undefined : BigInt(options.seed), kind };
}

export const samplers = {
  random: (options: SeedOption = {}): SamplerConfig => config({ $case: "random", value: {} }, options),
  /** Optuna's TPESampler defaults; constantLiar defaults to on here, as parallel workers are the common case. */
  tpe: (options: SeedOption & { nStartupTrials?: number; nEiCandidates?: number; multivariate?: boolean; constantLiar?: boolean; priorWeight?: number } = {}): SamplerConfig =>
    config({ $case: "tpe", value: {
      nStartupTrials: options.nStartupTrials ?? 10, nEiCandidates: options.nEiCandidates ?? 24, multivariate: options.multivariate ?? false,
      constantLiar: options.constantLiar, priorWeight: options.priorWeight ?? 1,
    } }, options),
  gp: (options: SeedOption & { nStartupTrials?: number } = {}): SamplerConfig => config({ $case: "gp", value: { nStartupTrials: options.nStartupTrials ?? 10 } }, options),
  cmaes: (options: SeedOption & { popsize?: number; restarts?: boolean } = {}): SamplerConfig =>
    config({ $case: "cmaes", value: { populationSize: options.popsize ?? 0, noRestarts: options.restarts === false, randomForOtherParams: true } }, options),
  nsga2: (options: SeedOption & { populationSize?: number; crossoverProb?: number; swappingProb?: number; mutationProb?: number } = {}): SamplerConfig =>
    config({ $case: "nsga2", value: {
      populationSize: options.populationSize ?? 50, crossoverProb: options.crossoverProb ?? 0.9, swappingProb: options.swappingProb ?? 0.5, mutationProb: options.mutationProb,
    } }, options),
  qmc: (options: SeedOption = {}): SamplerConfig => config({ $case: "qmc", value: {} }, options),
  grid: (options: SeedOption = {}): SamplerConfig => config({ $case: "grid", value: {} }, options),
};

export const pruners = {
  none: (): PrunerConfig => ({ kind: { $case: "none", value: {} } }),
  percentile: (percentile: number, options: { nStartupTrials?: number; nWarmupSteps?: number; intervalSteps?: number; nMinTrials?: number } = {}): PrunerConfig =>
    ({ kind: { $case: "percentile", value: {
      percentile, nStartupTrials: options.nStartupTrials ?? 5, nWarmupSteps: options.nWarmupSteps ?? 0, intervalSteps: options.intervalSteps ?? 1, nMinTrials: options.nMinTrials ?? 1,
    } } }),
  /** Optuna's default pruner. */
  median: (options: { nStartupTrials?: number; nWarmupSteps?: number; intervalSteps?: number; nMinTrials?: number } = {}): PrunerConfig => pruners.percentile(50, options),
  successiveHalving: (options: { minResource?: number | "auto"; reductionFactor?: number; minEarlyStoppingRate?: number; bootstrapCount?: number } = {}): PrunerConfig =>
    ({ kind: { $case: "successiveHalving", value: {
      minResource: BigInt(options.minResource === undefined || options.minResource === "auto" ? 0 : options.minResource), reductionFactor: options.reductionFactor ?? 4,
      minEarlyStoppingRate: options.minEarlyStoppingRate ?? 0, bootstrapCount: options.bootstrapCount ?? 0,
    } } }),
  /**
   * Population-Based Training, run by the server (Ray Tune's names); mutableParams: what an exploiting trial explores (default: every float parameter);
   * populationSize: the members the study starts (Ray Tune's num_samples; 0: no limit), after which ask() fails with OUT_OF_RANGE.
   */
  pbt: (options: { perturbationInterval?: number; quantileFraction?: number; resampleProbability?: number; burnInPeriod?: number; perturbationFactors?: number[]; mutableParams?: string[]; populationSize?: number } = {}): PrunerConfig =>
    ({ kind: { $case: "pbt", value: {
      perturbationInterval: BigInt(options.perturbationInterval ?? 1), quantileFraction: options.quantileFraction ?? 0.25,
      resampleProbability: options.resampleProbability ?? 0.25, burnIn: BigInt(options.burnInPeriod ?? 0), perturbationFactors: options.perturbationFactors ?? [],
      mutableParams: options.mutableParams ?? [], populationSize: options.populationSize ?? 0,
    } } }),
  hyperband: (options: { minResource?: number; maxResource?: number | "auto"; reductionFactor?: number } = {}): PrunerConfig =>
    ({ kind: { $case: "hyperband", value: {
      minResource: BigInt(options.minResource ?? 1), maxResource: BigInt(options.maxResource === undefined || options.maxResource === "auto" ? 0 : options.maxResource),
      reductionFactor: options.reductionFactor ?? 3,
    } } }),
};
