# Optuna's pythonic search space: branches that suggest different parameters.
import math

import optuna


def run(storage):
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        classifier = trial.suggest_categorical("classifier", ["SVC", "RandomForest"])
        if classifier == "SVC":
            svc_c = trial.suggest_float("svc_c", 1e-10, 1e10, log=True)
            return (abs(math.log10(svc_c) - 2) / 10) + 0.05
        rf_max_depth = trial.suggest_int("rf_max_depth", 2, 32, log=True)
        return abs(rf_max_depth - 11) / 30

    study = optuna.create_study(direction="minimize", storage=storage, sampler=optuna.samplers.TPESampler(seed=1))
    study.optimize(objective, n_trials=40)
    for t in study.trials:
        expected = {"classifier", "svc_c"} if t.params["classifier"] == "SVC" else {"classifier", "rf_max_depth"}
        assert set(t.params) == expected, t.params
    assert {t.params["classifier"] for t in study.trials} == {"SVC", "RandomForest"}
    return study
