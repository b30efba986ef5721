# enqueue_trial with partial params: the enqueued value is used, the rest is sampled.
import optuna


def run(storage):
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        x = trial.suggest_float("x", -5, 5)
        y = trial.suggest_int("y", 0, 10)
        return x ** 2 + y

    study = optuna.create_study(storage=storage)
    study.enqueue_trial({"x": 1.5})
    study.enqueue_trial({"x": -2.0, "y": 3})
    study.optimize(objective, n_trials=6)
    assert study.trials[0].params["x"] == 1.5
    assert study.trials[1].params == {"x": -2.0, "y": 3}
    assert 0 <= study.trials[0].params["y"] <= 10
    return study
