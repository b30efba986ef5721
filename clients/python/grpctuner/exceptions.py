"""Optuna's exceptions, by their Optuna names."""


class TrialPruned(Exception):
    """Raised by an objective to stop its trial early: study.optimize tells it PRUNED."""
