"""Optuna's distribution classes, by their Optuna names (optuna.distributions): the same arguments,
in the same order, as grpctuner's Float, Int and Categorical, which they are."""
from .space import Categorical as CategoricalDistribution
from .space import Float as FloatDistribution
from .space import Int as IntDistribution

__all__ = ["FloatDistribution", "IntDistribution", "CategoricalDistribution"]
