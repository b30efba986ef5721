# Pruning: report each step, ask should_prune, raise TrialPruned.
import optuna


def run(storage):
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        value = 1.0
        for step in range(10):
            value = x + 1.0 / (step + 1)
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=3),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2))
    study.optimize(objective, n_trials=30)
    states = [t.state for t in study.trials]
    assert optuna.trial.TrialState.PRUNED in states, states
    assert optuna.trial.TrialState.COMPLETE in states
    for t in study.get_trials(states=(optuna.trial.TrialState.PRUNED,)):
        assert 2 <= max(t.intermediate_values) < 9, t.intermediate_values
    return study
