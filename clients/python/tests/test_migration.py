"""Studies move between Debian's optuna 3.1 and grpctuner with every finished trial's params,
distributions, values, intermediate values, state and user attributes, on an in-memory and an SQLite
Optuna storage."""
import tempfile
import uuid
from pathlib import Path

import pytest

import grpctuner

try:
    import optuna
except ImportError:  # pragma: no cover - the suite installs python3-optuna
    optuna = None


def _require_optuna():
    if optuna is None:
        pytest.fail("Optuna is not installed: apt-get install python3-optuna (tests/run.sh installs it)")


def _optuna_study(storage):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=storage, study_name=f"opt-{uuid.uuid4().hex[:8]}", sampler=optuna.samplers.RandomSampler(seed=5))

    def objective(trial):
        kind = trial.suggest_categorical("kind", ["a", "b"])
        x = trial.suggest_float("x", 1e-3, 1.0, log=True) if kind == "a" else trial.suggest_int("n", 1, 9, step=2)
        trial.set_user_attr("tag", f"t{trial.number}")
        for step in range(3):
            trial.report(float(x) + step, step)
        if trial.number % 5 == 4:
            raise optuna.TrialPruned()
        return float(x)

    study.optimize(objective, n_trials=15)
    return study


def _same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.state.name == b.state.name
        assert a.params == b.params
        # Optuna gives a pruned trial its last intermediate value as its value; ours keeps values for COMPLETE only.
        assert a.values == (b.values if b.state.name == "COMPLETE" else [])
        assert a.intermediate_values == b.intermediate_values
        assert a.user_attrs == b.user_attrs
        for name, d in b.distributions.items():
            ours_d = a.distributions[name]
            assert (type(d).__name__, d.__dict__.get("low"), d.__dict__.get("high"), getattr(d, "log", None), getattr(d, "step", None)) == \
                   (type(ours_d).__name__ + "Distribution", getattr(ours_d, "low", None), getattr(ours_d, "high", None), getattr(ours_d, "log", None), getattr(ours_d, "step", None)), name


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_an_optuna_study_comes_in_and_goes_back_out_unchanged(server, kind):
    _require_optuna()
    with tempfile.TemporaryDirectory() as folder:
        storage = None if kind == "memory" else f"sqlite:///{Path(folder) / 'optuna.db'}"
        source = _optuna_study(storage)
        ours = grpctuner.copy_study(from_optuna=source, to_study_name=f"imported-{uuid.uuid4().hex[:8]}", server=server)
        _same(ours.trials, source.trials)
        assert ours.best_value == source.best_value

        back = grpctuner.to_optuna(ours, storage=storage, study_name=f"back-{uuid.uuid4().hex[:8]}")
        _same(ours.trials, back.trials)
        assert back.best_params == source.best_params

        # The imported history informs our sampler: define-by-run goes on from it.
        ours.optimize(lambda t: t.suggest_float("x", 1e-3, 1.0, log=True) if t.suggest_categorical("kind", ["a", "b"]) == "a" else float(t.suggest_int("n", 1, 9, step=2)),
                      n_trials=5)
        assert len(ours.trials) == 20
