# Several objectives: the Pareto front.
import optuna


def run(storage):
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        x = trial.suggest_float("x", 0, 5)
        y = trial.suggest_float("y", 0, 3)
        return 4 * x ** 2 + 4 * y ** 2, (x - 5) ** 2 + (y - 5) ** 2

    study = optuna.create_study(directions=["minimize", "minimize"], storage=storage, sampler=optuna.samplers.NSGAIISampler(seed=4, population_size=10))
    study.optimize(objective, n_trials=30)
    front = study.best_trials
    assert front and all(len(t.values) == 2 for t in front)
    for a in front:
        assert not any(b.values[0] <= a.values[0] and b.values[1] <= a.values[1] and b.values != a.values for b in study.trials if b.values)
    return study
