"""Pruners by their Optuna names and defaults (optuna.pruners), run by the server, plus PBT."""
from typing import List, Optional, Sequence, Union

from .v1 import study_pb2


class BasePruner:
    def to_proto(self) -> study_pb2.PrunerConfig:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


class NopPruner(BasePruner):
    def to_proto(self) -> study_pb2.PrunerConfig:
        return study_pb2.PrunerConfig(none=study_pb2.NopPrunerConfig())


class PercentilePruner(BasePruner):
    def __init__(self, percentile: float, n_startup_trials: int = 5, n_warmup_steps: int = 0, interval_steps: int = 1, *, n_min_trials: int = 1):
        if not 0 <= percentile <= 100:
            raise ValueError(f"percentile: must be in [0, 100], got {percentile!r}")
        self.percentile, self.n_startup_trials, self.n_warmup_steps = percentile, n_startup_trials, n_warmup_steps
        self.interval_steps, self.n_min_trials = interval_steps, n_min_trials

    def to_proto(self) -> study_pb2.PrunerConfig:
        return study_pb2.PrunerConfig(percentile=study_pb2.PercentilePrunerConfig(
            percentile=self.percentile, n_startup_trials=self.n_startup_trials, n_warmup_steps=self.n_warmup_steps,
            interval_steps=self.interval_steps, n_min_trials=self.n_min_trials))


class MedianPruner(PercentilePruner):
    def __init__(self, n_startup_trials: int = 5, n_warmup_steps: int = 0, interval_steps: int = 1, *, n_min_trials: int = 1):
        super().__init__(50.0, n_startup_trials, n_warmup_steps, interval_steps, n_min_trials=n_min_trials)


class SuccessiveHalvingPruner(BasePruner):
    def __init__(self, min_resource: Union[str, int] = "auto", reduction_factor: int = 4, min_early_stopping_rate: int = 0, bootstrap_count: int = 0):
        if min_resource != "auto" and not (isinstance(min_resource, int) and min_resource >= 1):
            raise ValueError(f"min_resource: must be 'auto' or an int >= 1, got {min_resource!r}")
        self.min_resource, self.reduction_factor = min_resource, reduction_factor
        self.min_early_stopping_rate, self.bootstrap_count = min_early_stopping_rate, bootstrap_count

    def to_proto(self) -> study_pb2.PrunerConfig:
        return study_pb2.PrunerConfig(successive_halving=study_pb2.SuccessiveHalvingPrunerConfig(
            min_resource=0 if self.min_resource == "auto" else self.min_resource, reduction_factor=self.reduction_factor,
            min_early_stopping_rate=self.min_early_stopping_rate, bootstrap_count=self.bootstrap_count))


class HyperbandPruner(BasePruner):
    def __init__(self, min_resource: int = 1, max_resource: Union[str, int] = "auto", reduction_factor: int = 3):
        if max_resource != "auto" and not (isinstance(max_resource, int) and max_resource >= 1):
            raise ValueError(f"max_resource: must be 'auto' or an int >= 1, got {max_resource!r}")
        self.min_resource, self.max_resource, self.reduction_factor = min_resource, max_resource, reduction_factor

    def to_proto(self) -> study_pb2.PrunerConfig:
        return study_pb2.PrunerConfig(hyperband=study_pb2.HyperbandPrunerConfig(
            min_resource=self.min_resource, max_resource=0 if self.max_resource == "auto" else self.max_resource,
            reduction_factor=self.reduction_factor))


class PopulationBasedTraining(BasePruner):
    """Ray Tune's PBT, run by the server: a trial in the bottom quantile is told to exploit a top one at each interval."""

    def __init__(self, perturbation_interval: int = 1, quantile_fraction: float = 0.25, resample_probability: float = 0.25,
                 burn_in_period: int = 0, perturbation_factors: Optional[Sequence[float]] = None,
                 mutable_params: Optional[Sequence[str]] = None, population_size: int = 0):
        """mutable_params: the parameters an exploiting trial explores (default: every float parameter); the others keep the donor's values.
        population_size: the members the study starts (Ray Tune's num_samples; 0: no limit); then ask() raises OUT_OF_RANGE."""
        self.perturbation_interval, self.quantile_fraction, self.resample_probability = perturbation_interval, quantile_fraction, resample_probability
        self.burn_in_period, self.perturbation_factors = burn_in_period, list(perturbation_factors or [])
        self.mutable_params, self.population_size = list(mutable_params or []), population_size

    def to_proto(self) -> study_pb2.PrunerConfig:
        return study_pb2.PrunerConfig(pbt=study_pb2.PbtConfig(
            perturbation_interval=self.perturbation_interval, quantile_fraction=self.quantile_fraction,
            resample_probability=self.resample_probability, burn_in=self.burn_in_period, perturbation_factors=self.perturbation_factors,
            mutable_params=self.mutable_params, population_size=self.population_size))


__all__: List[str] = ["BasePruner", "NopPruner", "PercentilePruner", "MedianPruner", "SuccessiveHalvingPruner", "HyperbandPruner", "PopulationBasedTraining"]
