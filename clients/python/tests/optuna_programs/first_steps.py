# Optuna's first steps: a quadratic, optimized for 30 trials.
import optuna


def run(storage):
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        return (x - 2) ** 2

    study = optuna.create_study(storage=storage)
    study.optimize(objective, n_trials=30)
    assert len(study.trials) == 30
    assert set(study.best_params) == {"x"}
    assert study.best_value == min(t.value for t in study.trials)
    return study
