"""Runs Optuna 3.1 (Debian's python3-optuna) studies for GrpcTuner's quality benchmark, driven
over stdin/stdout so that both tuners meet the very same problems: the benchmark sends a study
(search space as JSON, direction, sampler, seed, trials), then for every trial this driver asks
Optuna, suggests each active parameter as an Optuna objective would (define-by-run: a parameter
with a parent is suggested only when its parent took one of its values), prints the params, reads
back the objective's value and tells it.

Protocol, one JSON object per line:
  in:  {"space": [...], "direction": "minimize", "sampler": "tpe" | "tpe-multivariate" | "random", "seed": 0, "trials": 100}
  out: {"params": {...}}  in: {"value": 1.5}   (repeated `trials` times)
  out: {"done": true}"""
import json
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)


def sampler(name, seed):
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown sampler {name}")


def suggest(trial, spec):
    kind = spec["type"]
    if kind == "float":
        return trial.suggest_float(spec["name"], spec["low"], spec["high"], log=spec.get("log", False), step=spec.get("step"))
    if kind == "int":
        return trial.suggest_int(spec["name"], spec["low"], spec["high"], log=spec.get("log", False), step=spec.get("step", 1))
    return trial.suggest_categorical(spec["name"], spec["choices"])


def main():
    warnings_off = __import__("warnings")
    warnings_off.simplefilter("ignore")
    for line in sys.stdin:
        request = json.loads(line)
        study = optuna.create_study(direction=request["direction"], sampler=sampler(request["sampler"], request["seed"]))
        for _ in range(request["trials"]):
            trial = study.ask()
            params = {}
            for spec in request["space"]:
                parent = spec.get("parent")
                if parent is None or (parent in params and params[parent] in spec["when"]):
                    params[spec["name"]] = suggest(trial, spec)
            print(json.dumps({"params": params}), flush=True)
            study.tell(trial, json.loads(sys.stdin.readline())["value"])
        print(json.dumps({"done": True}), flush=True)


if __name__ == "__main__":
    main()
