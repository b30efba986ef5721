# A range that depends on an earlier value: the number of units per layer, layer by layer.
import optuna


def run(storage):
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        n_layers = trial.suggest_int("n_layers", 1, 4)
        total = 0
        for i in range(n_layers):
            total += trial.suggest_int(f"n_units_l{i}", 4, 128, log=True)
        a = trial.suggest_int("a", 1, 10)
        b = trial.suggest_int("b", 0, a)
        assert 0 <= b <= a
        return abs(total - 100) + (a - b)

    study = optuna.create_study(storage=storage, sampler=optuna.samplers.TPESampler(seed=2))
    study.optimize(objective, n_trials=30)
    for t in study.trials:
        assert t.params["b"] <= t.params["a"]
        assert sum(1 for name in t.params if name.startswith("n_units_l")) == t.params["n_layers"]
    return study
