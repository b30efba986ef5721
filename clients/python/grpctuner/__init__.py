"""GrpcTuner for Python: Optuna's API, served by a GrpcTuner server. An Optuna program runs unchanged
but for two things: `import grpctuner as optuna`, and the server's address as storage (or server).

    import grpctuner as optuna

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        return (x - 2) ** 2

    study = optuna.create_study(direction="minimize", storage="127.0.0.1:50051")
    study.optimize(objective, n_trials=100)
    print(study.best_params)

The search space may also be declared up front (create_study(name, {"x": grpctuner.Float(-10, 10)})),
and trials asked and told by hand (study.ask(), study.tell(trial, value)).
"""
from . import distributions, exceptions, logging, pruners, samplers
from .exceptions import TrialPruned
from .migration import copy_study, to_optuna
from .space import Categorical, Float, Int
from .study import Study, StudyDirection, StudySummary, create_study, delete_study, get_all_study_summaries, load_study
from .trial import FrozenTrial, Trial, TrialState, create_trial

# The submodules trial and study are attributes of the package, so optuna.trial.TrialState and
# optuna.study.StudyDirection resolve as in Optuna.

__all__ = ["Study", "StudyDirection", "StudySummary", "Trial", "FrozenTrial", "TrialState", "TrialPruned", "create_study", "load_study",
           "delete_study", "get_all_study_summaries", "create_trial", "copy_study", "to_optuna", "Float", "Int", "Categorical",
           "distributions", "exceptions", "logging", "pruners", "samplers", "trial", "study"]
