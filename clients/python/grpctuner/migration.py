"""Moving studies between Optuna and GrpcTuner, both ways, with every finished trial's params,
distributions, values, intermediate values, state and user attributes. Optuna is imported only here,
and only when called."""
from typing import Any, Optional

from .space import Categorical, Float, Int
from .study import Study, create_study
from .trial import FrozenTrial, TrialState, create_trial


def _from_optuna_distribution(d: Any):
    kind = type(d).__name__
    if kind == "FloatDistribution":
        return Float(d.low, d.high, log=d.log, step=d.step)
    if kind == "IntDistribution":
        return Int(d.low, d.high, log=d.log, step=d.step)
    if kind == "CategoricalDistribution":
        return Categorical(list(d.choices))
    raise ValueError(f"distributions: {kind} has no GrpcTuner counterpart (Optuna 3's Float, Int and Categorical distributions do)")


def _to_optuna_distribution(d: Any):
    import optuna

    if isinstance(d, Float):
        return optuna.distributions.FloatDistribution(d.low, d.high, log=d.log, step=d.step)
    if isinstance(d, Int):
        return optuna.distributions.IntDistribution(d.low, d.high, log=d.log, step=d.step)
    return optuna.distributions.CategoricalDistribution(list(d.choices))


def copy_study(from_optuna: Any, *, to_study_name: Optional[str] = None, storage: Optional[str] = None, server: Optional[str] = None, **kwargs: Any) -> Study:
    """A new define-by-run GrpcTuner study holding the finished trials of an Optuna study (running ones are left out).
    kwargs go to create_study (sampler, pruner, api_key, ...)."""
    directions = [d.name.lower() for d in from_optuna.directions]
    study = create_study(to_study_name or from_optuna.study_name, directions=directions, storage=storage, server=server, **kwargs)
    imported = []
    for t in from_optuna.get_trials(deepcopy=False):
        state = TrialState(t.state.name.lower())
        if not state.is_finished():
            continue
        imported.append(create_trial(state=state, values=t.values if state == TrialState.COMPLETE else None, params=t.params,
                                     distributions={name: _from_optuna_distribution(d) for name, d in t.distributions.items()},
                                     user_attrs=t.user_attrs, intermediate_values=t.intermediate_values))
    if imported:
        study.add_trials(imported)
    return study


def to_optuna(study: Study, *, storage: Any = None, study_name: Optional[str] = None):
    """A new Optuna study (in storage: an Optuna storage or URL; None keeps it in memory) holding this study's finished trials."""
    import optuna

    target = optuna.create_study(storage=storage, study_name=study_name or study.name, directions=[d.value for d in study.directions])
    trials = []
    for t in study.trials:
        if not t.state.is_finished():
            continue
        trials.append(optuna.trial.create_trial(
            state=getattr(optuna.trial.TrialState, t.state.name), values=t.values if t.state == TrialState.COMPLETE else None,
            params=t.params, distributions={name: _to_optuna_distribution(d) for name, d in t.distributions.items()},
            user_attrs=t.user_attrs, intermediate_values=t.intermediate_values))
    target.add_trials(trials)
    return target


__all__ = ["copy_study", "to_optuna", "FrozenTrial"]
