"""Optuna 3.1's side of the define-by-run speed benchmark: the same objective (five suggest_float
calls, then a quadratic) through study.optimize on Optuna's Redis journal storage, and in memory.
Prints one JSON line: mean ms per trial after the first `warmup` trials."""
import argparse
import json
import time

import optuna
from optuna.storages import JournalRedisStorage, JournalStorage


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--redis", required=True)
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=20)
    a = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    stamps = []

    def objective(trial):
        stamps.append(time.perf_counter())
        return sum((trial.suggest_float(f"x{i}", -5, 5) - 1) ** 2 for i in range(5))

    result = {"peer": "optuna-" + optuna.__version__}
    for name, storage in (("redis journal", JournalStorage(JournalRedisStorage(a.redis))), ("memory", None)):
        stamps.clear()
        study = optuna.create_study(storage=storage, study_name=f"dbr-{time.time_ns()}", sampler=optuna.samplers.TPESampler(seed=0))
        study.optimize(objective, n_trials=a.trials)
        stamps.append(time.perf_counter())
        window = stamps[a.warmup:]
        result[name] = round((window[-1] - window[0]) * 1e3 / (len(window) - 1), 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
