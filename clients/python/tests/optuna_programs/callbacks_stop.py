# A callback that stops the study, user attributes, caught exceptions and two threads.
import optuna


def run(storage):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    seen = []

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        trial.set_user_attr("double", 2 * x)
        if trial.number % 4 == 3:
            raise ValueError("diverged")
        return x ** 2

    def stop_after_ten(study, trial):
        seen.append(trial.number)
        if len([t for t in study.trials if t.state.is_finished()]) >= 10:
            study.stop()

    study = optuna.create_study(storage=storage)
    study.optimize(objective, n_trials=100, n_jobs=2, catch=(ValueError,), callbacks=[stop_after_ten])
    assert 10 <= len(study.trials) < 20, len(study.trials)
    assert len(seen) == len(study.trials)
    failed = study.get_trials(states=[optuna.trial.TrialState.FAIL])
    assert failed and all(t.number % 4 == 3 for t in failed)
    for t in study.get_trials(states=[optuna.trial.TrialState.COMPLETE]):
        assert t.user_attrs["double"] == 2 * t.params["x"]
    return study
