"""GrpcTuner for Python: an Optuna-like API over the generated gRPC stubs.

    import grpctuner
    study = grpctuner.create_study("branin", {"x": grpctuner.Float(-5, 10)}, direction="minimize",
                                   server="127.0.0.1:50051")
    trial = study.ask()
    if trial.report(value, step=0):   # True: the pruner says stop
        study.tell(trial, state="pruned")
    study.tell(trial, value)
    print(study.best_trial.params)
"""
from .study import Study, Trial, create_study, load_study
from .space import Categorical, Float, Int

__all__ = ["Study", "Trial", "create_study", "load_study", "Float", "Int", "Categorical"]
