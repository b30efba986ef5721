"""The Python client against a real server: the Optuna-like API and the error statuses."""
import subprocess
import tempfile
import uuid
from pathlib import Path

import grpc
import pytest

import grpctuner
from grpctuner.v1 import study_pb2

SPACE = {"x": grpctuner.Float(-5, 10), "n": grpctuner.Int(1, 4), "opt": grpctuner.Categorical(["adam", "sgd"]),
         "momentum": grpctuner.Float(0, 1, parent="opt", when=["sgd"])}


def _name() -> str:
    return f"py-{uuid.uuid4().hex[:10]}"


def test_ask_report_tell_and_best_trial(server):
    # Optuna's default pruner is the median pruner; without one nothing is pruned.
    study = grpctuner.create_study(_name(), SPACE, "minimize", server=server, pruner=grpctuner.pruners.NopPruner(),
                                   sampler=study_pb2.SamplerConfig(seed=3, random=study_pb2.RandomSamplerConfig()))
    values = []
    for _ in range(6):
        trial = study.ask()
        assert set(trial.params) >= {"x", "n", "opt"}
        assert ("momentum" in trial.params) == (trial.params["opt"] == "sgd")
        assert isinstance(trial.params["n"], int) and isinstance(trial.params["x"], float)
        assert trial.report(abs(trial.params["x"]), step=0) is False
        told = study.tell(trial, abs(trial.params["x"]))
        assert told.state == "complete" and told.intermediate_values == {0: abs(trial.params["x"])}
        values.append(abs(trial.params["x"]))
    assert study.best_trial.value == min(values)
    assert len(study.trials) == 6


def test_the_median_pruner_answers_through_report(server):
    pruner = study_pb2.PrunerConfig(percentile=study_pb2.PercentilePrunerConfig(n_startup_trials=1))
    study = grpctuner.create_study(_name(), {"x": grpctuner.Float(0, 1)}, "minimize", server=server, pruner=pruner)
    good = study.ask()
    good.report(0.1, step=0)
    study.tell(good, 0.1)
    bad = study.ask()
    assert bad.report(0.9, step=0) is True
    assert study.tell(bad, state="pruned").state == "pruned"


def test_enqueued_params_run_first(server):
    study = grpctuner.create_study(_name(), SPACE, "minimize", server=server)
    assert study.enqueue({"x": 1.5, "n": 2, "opt": "adam"}) == 1
    trial = study.ask()
    assert trial.params == {"x": 1.5, "n": 2, "opt": "adam"}
    study.tell(trial, 1.5)


def test_watch_streams_changes(server):
    study = grpctuner.create_study(_name(), {"x": grpctuner.Float(0, 1)}, "maximize", server=server)
    trial = study.ask()
    study.tell(trial, 0.5)
    events = study.watch(timeout=5)
    cursor, snapshot = next(events)
    assert snapshot.number == trial.number and snapshot.state == "complete"
    later = study.ask()
    resumed = study.watch(cursor=cursor, timeout=5)
    _, change = next(resumed)
    assert change.number == later.number and change.state == "running"
    study.tell(later, 0.7)


def test_errors_carry_their_status_and_name_the_field(server):
    with pytest.raises(grpc.RpcError) as missing:
        grpctuner.load_study("no-such-study-here", server=server)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND

    with pytest.raises(grpc.RpcError) as invalid:
        grpctuner.create_study(_name(), {"x": grpctuner.Float(2, 1)}, "minimize", server=server)
    assert invalid.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "search_space.params[0].float.high" in invalid.value.details()

    name = _name()
    grpctuner.create_study(name, {"x": grpctuner.Float(0, 1)}, "minimize", server=server)
    with pytest.raises(grpc.RpcError) as clash:
        grpctuner.create_study(name, {"x": grpctuner.Float(0, 1)}, "minimize", server=server)
    assert clash.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert grpctuner.create_study(name, {"x": grpctuner.Float(0, 1)}, "minimize", server=server, load_if_exists=True).name == name

    study = grpctuner.load_study(name, server=server)
    trial = study.ask()
    study.tell(trial, 1.0)
    with pytest.raises(grpc.RpcError) as conflict:
        study.tell(trial, 2.0)
    assert conflict.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_generated_code_matches_the_protos():
    here = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(["bash", str(here / "generate.sh"), out], check=True)
        for generated in sorted((Path(out) / "grpctuner/v1").glob("*.py")):
            committed = here / "grpctuner/v1" / generated.name
            assert committed.exists() and committed.read_bytes() == generated.read_bytes(), \
                f"{committed} is stale: run clients/python/generate.sh"


def test_every_address_form_reaches_the_server_and_others_name_the_forms(server, monkeypatch):
    host, port = server.rsplit(":", 1)
    for address in (server, f"http://{server}", f"dns:///{server}", f"localhost:{port}"):
        name = _name()
        assert grpctuner.create_study(name, {"x": grpctuner.Float(0, 1)}, "minimize", server=address).name == name
    monkeypatch.setenv("GRPCTUNER_SERVER", f"http://{server}")
    assert grpctuner.load_study(name).name == name
    for bad in ("tuner", "ftp://tuner:1", "http://tuner"):
        with pytest.raises(ValueError, match="is not a server address: give host:port, http://host:port, https://host:port or dns:///name:port"):
            grpctuner.load_study(name, server=bad)


def test_a_direction_typo_names_the_allowed_values_and_trials_print_readably(server):
    with pytest.raises(ValueError, match="direction: 'minimise' is not one of 'minimize', 'maximize'"):
        grpctuner.create_study(_name(), {"x": grpctuner.Float(0, 1)}, "minimise", server=server)
    study = grpctuner.create_study(_name(), {"x": grpctuner.Float(0, 1)}, "maximize", server=server)
    assert repr(study) == f"Study(name={study.name!r}, directions=['maximize'], sampler='tpe')"
    trial = study.ask()
    assert repr(trial) == f"Trial(number=0, params={{'x': {trial.params['x']!r}}})"
    frozen = study.tell(trial, 0.5)
    assert repr(frozen) == f"FrozenTrial(number=0, state='complete', values=[0.5], params={{'x': {trial.params['x']!r}}})"
