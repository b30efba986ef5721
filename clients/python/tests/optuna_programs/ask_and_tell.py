# Ask-and-tell, with fixed distributions, and tell by trial number with a state.
import optuna


def run(storage):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", storage=storage)
    distributions = {"lr": optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True),
                     "optimizer": optuna.distributions.CategoricalDistribution(["adam", "sgd"])}
    for _ in range(12):
        trial = study.ask(distributions)
        assert set(trial.params) == {"lr", "optimizer"}
        width = trial.suggest_int("width", 8, 64, step=8)
        if trial.params["optimizer"] == "sgd" and trial.number % 3 == 0:
            study.tell(trial.number, state=optuna.trial.TrialState.PRUNED)
            continue
        study.tell(trial, -abs(trial.params["lr"] - 1e-3) + width / 1000)
    assert len(study.trials) == 12
    assert all(t.state.is_finished() for t in study.trials)
    return study
