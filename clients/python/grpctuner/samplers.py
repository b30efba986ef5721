"""Samplers by their Optuna names and defaults (optuna.samplers), run by the server. Each is a small
description turned into the study's SamplerConfig; arguments Optuna has that the server does not
take are refused by name, never ignored."""
from typing import Any, Dict, List, Optional, Sequence

from .space import to_value
from .v1 import study_pb2


class BaseSampler:
    """A sampler the server runs; to_proto() is the SamplerConfig sent with CreateStudy."""

    def __init__(self, seed: Optional[int] = None):
        if seed is not None and not (isinstance(seed, int) and 0 <= seed < 2 ** 64):
            raise ValueError(f"seed: must be an int in [0, 2^64), got {seed!r}")
        self.seed = seed

    def _config(self, **kind: Any) -> study_pb2.SamplerConfig:
        config = study_pb2.SamplerConfig(**kind)
        if self.seed is not None:
            config.seed = self.seed
        return config

    def to_proto(self) -> study_pb2.SamplerConfig:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed!r})"


class RandomSampler(BaseSampler):
    def to_proto(self) -> study_pb2.SamplerConfig:
        return self._config(random=study_pb2.RandomSamplerConfig())


class TPESampler(BaseSampler):
    """Optuna's TPESampler defaults: 10 startup trials, 24 EI candidates, univariate; constant_liar
    defaults to on here (Optuna: off), as the server's trials run in parallel more often than not."""

    def __init__(self, *, n_startup_trials: int = 10, n_ei_candidates: int = 24, multivariate: bool = False,
                 constant_liar: Optional[bool] = None, prior_weight: float = 1.0, seed: Optional[int] = None):
        super().__init__(seed)
        self.n_startup_trials, self.n_ei_candidates, self.multivariate = n_startup_trials, n_ei_candidates, multivariate
        self.constant_liar, self.prior_weight = constant_liar, prior_weight

    def to_proto(self) -> study_pb2.SamplerConfig:
        tpe = study_pb2.TpeSamplerConfig(n_startup_trials=self.n_startup_trials, n_ei_candidates=self.n_ei_candidates,
                                         multivariate=self.multivariate, prior_weight=self.prior_weight)
        if self.constant_liar is not None:
            tpe.constant_liar = self.constant_liar
        return self._config(tpe=tpe)


class GridSampler(BaseSampler):
    """search_space: {name: [values]}, as Optuna's GridSampler takes it; the study declares it as categorical
    parameters, and every point is handed out once across all workers."""

    def __init__(self, search_space: Dict[str, Sequence[Any]], seed: Optional[int] = None):
        super().__init__(seed)
        for name, values in search_space.items():
            if not values:
                raise ValueError(f"search_space[{name!r}]: must list at least one value")
            for v in values:
                to_value(v)
        self.search_space = {name: list(values) for name, values in search_space.items()}

    def to_proto(self) -> study_pb2.SamplerConfig:
        return self._config(grid=study_pb2.GridSamplerConfig())


class QMCSampler(BaseSampler):
    """Scrambled Sobol over the study's declared parameters (create_study(space=...)); others are drawn at random."""

    def __init__(self, *, qmc_type: str = "sobol", scramble: bool = True, seed: Optional[int] = None):
        super().__init__(seed)
        if qmc_type != "sobol" or not scramble:
            raise ValueError(f"qmc_type/scramble: the server runs a scrambled Sobol sequence only, got qmc_type={qmc_type!r}, scramble={scramble!r}")

    def to_proto(self) -> study_pb2.SamplerConfig:
        return self._config(qmc=study_pb2.QmcSamplerConfig())


class CmaEsSampler(BaseSampler):
    def __init__(self, *, popsize: Optional[int] = None, restart_strategy: Optional[str] = "ipop", seed: Optional[int] = None):
        super().__init__(seed)
        if restart_strategy not in (None, "ipop"):
            raise ValueError(f"restart_strategy: must be None or 'ipop', got {restart_strategy!r}")
        self.popsize, self.restart_strategy = popsize, restart_strategy

    def to_proto(self) -> study_pb2.SamplerConfig:
        return self._config(cmaes=study_pb2.CmaEsSamplerConfig(population_size=self.popsize or 0, no_restarts=self.restart_strategy is None,
                                                               random_for_other_params=True))


class GPSampler(BaseSampler):
    def __init__(self, *, n_startup_trials: int = 10, seed: Optional[int] = None):
        super().__init__(seed)
        self.n_startup_trials = n_startup_trials

    def to_proto(self) -> study_pb2.SamplerConfig:
        return self._config(gp=study_pb2.GpSamplerConfig(n_startup_trials=self.n_startup_trials))


class NSGAIISampler(BaseSampler):
    def __init__(self, *, population_size: int = 50, mutation_prob: Optional[float] = None, crossover_prob: float = 0.9,
                 swapping_prob: float = 0.5, seed: Optional[int] = None):
        super().__init__(seed)
        self.population_size, self.mutation_prob, self.crossover_prob, self.swapping_prob = population_size, mutation_prob, crossover_prob, swapping_prob

    def to_proto(self) -> study_pb2.SamplerConfig:
        nsga = study_pb2.Nsga2SamplerConfig(population_size=self.population_size, crossover_prob=self.crossover_prob, swapping_prob=self.swapping_prob)
        if self.mutation_prob is not None:
            nsga.mutation_prob = self.mutation_prob
        return self._config(nsga2=nsga)


__all__: List[str] = ["BaseSampler", "RandomSampler", "TPESampler", "GridSampler", "QMCSampler", "CmaEsSampler", "GPSampler", "NSGAIISampler"]
