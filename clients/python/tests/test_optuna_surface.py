"""The rest of Optuna's surface as a user meets it: batch ask, add_trial(s) with create_trial, study
summaries, load and delete, best_*, trials_dataframe, GridSampler over define-by-run, tell by number
with skip_if_finished, and the errors for what the server cannot take."""
import json
import pathlib
import uuid

import grpc
import pytest

import grpctuner as optuna


def _name():
    return f"surface-{uuid.uuid4().hex[:10]}"


def test_batch_ask_add_trials_summaries_and_best(server):
    name = _name()
    study = optuna.create_study(study_name=name, direction="maximize", storage=server, sampler=optuna.samplers.RandomSampler(seed=1))
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE == "maximize"
    trials = study.ask(3)
    assert [t.number for t in trials] == [0, 1, 2]
    for t in trials:
        study.tell(t, t.suggest_float("x", 0, 1))
    study.add_trial(optuna.trial.create_trial(params={"x": 0.99}, distributions={"x": optuna.distributions.FloatDistribution(0, 1)}, value=0.99))
    study.add_trials([optuna.trial.create_trial(state=optuna.trial.TrialState.PRUNED, params={"x": 0.5},
                                                distributions={"x": optuna.distributions.FloatDistribution(0, 1)}, intermediate_values={0: 0.5})])
    assert study.best_value == 0.99 and study.best_params == {"x": 0.99}
    assert len(study.get_trials(states=["pruned"])) == 1
    assert study.trials[4].intermediate_values == {0: 0.5}

    frame = study.trials_dataframe()
    assert list(frame["number"]) == [0, 1, 2, 3, 4]
    assert list(frame["state"])[-1] == "PRUNED" and "params_x" in frame.columns

    summary = next(s for s in optuna.get_all_study_summaries(storage=server) if s.study_name == name)
    assert summary.n_trials == 5 and summary.best_trial.value == 0.99 and summary.direction == "maximize"
    assert optuna.load_study(study_name=name, storage=server).best_value == 0.99
    optuna.delete_study(study_name=name, storage=server)
    with pytest.raises(grpc.RpcError) as gone:
        optuna.load_study(study_name=name, storage=server)
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_grid_covers_its_points_whatever_suggest_the_objective_calls(server):
    sampler = optuna.samplers.GridSampler({"x": [-1, 0, 1], "kind": ["a", "b"]}, seed=3)
    study = optuna.create_study(storage=server, sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2 + (t.suggest_categorical("kind", ["a", "b"]) == "b") + t.suggest_float("free", 0, 1), n_trials=6)
    assert sorted((t.params["x"], t.params["kind"]) for t in study.trials) == [(-1, "a"), (-1, "b"), (0, "a"), (0, "b"), (1, "a"), (1, "b")]
    assert all(0 <= t.params["free"] <= 1 for t in study.trials)


def test_tell_by_number_skip_if_finished_and_suggest_conflicts(server):
    study = optuna.create_study(storage=server)
    trial = study.ask()
    x = trial.suggest_int("n", 1, 5)
    assert trial.suggest_int("n", 1, 5) == x
    with pytest.raises(grpc.RpcError) as conflict:
        trial.suggest_int("n", 1, 9)
    assert conflict.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "int in [1, 5]" in conflict.value.details() and "int in [1, 9]" in conflict.value.details()
    assert study.tell(trial.number, 1.0).state == optuna.trial.TrialState.COMPLETE
    assert study.tell(trial.number, 2.0, skip_if_finished=True).values == [1.0]
    with pytest.raises(grpc.RpcError) as finished:
        study.tell(trial.number, 2.0)
    assert finished.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_what_cannot_be_taken_is_refused_by_name(server):
    with pytest.raises(ValueError, match="storage: 'sqlite:///x.db' is an Optuna storage URL"):
        optuna.create_study(storage="sqlite:///x.db")
    with pytest.raises(ValueError, match="direction, directions"):
        optuna.create_study(storage=server, direction="minimize", directions=["minimize"])
    with pytest.raises(ValueError, match="direction: 'minimise'"):
        optuna.create_study(storage=server, direction="minimise")
    study = optuna.create_study(storage=server)
    with pytest.raises(TypeError, match="parameter values are float, int, str or bool"):
        study.ask().suggest_categorical("c", [None, 1])
    failed = []
    study.optimize(lambda t: float("nan"), n_trials=1, callbacks=[lambda s, t: failed.append(t)])
    assert failed[0].state == "fail" and "not one finite number" in failed[0].reason


def test_a_pbt_worker_reports_its_checkpoint_and_is_told_to_exploit(server):
    study = optuna.create_study(direction="maximize", storage=server, space={"lr": optuna.Float(1e-4, 1e-1, log=True)},
                                sampler=optuna.samplers.RandomSampler(seed=4),
                                pruner=optuna.pruners.PopulationBasedTraining(perturbation_interval=1, resample_probability=0))
    trials = study.ask(4)
    for i, t in enumerate(trials[:3]):
        assert t.report(0.5 + 0.1 * i, step=0, checkpoint=f"/shared/ck/{t.number}") is False and t.exploit is None
    lagging = trials[3]
    assert lagging.report(0.1, step=0, checkpoint="/shared/ck/lagging") is False
    assert lagging.exploit is not None and lagging.exploit.donor_trial == trials[2].number
    assert lagging.exploit.donor_checkpoint == f"/shared/ck/{trials[2].number}"
    assert lagging.params == lagging.exploit.params
    donor = trials[2].params["lr"]
    assert any(lagging.params["lr"] == pytest.approx(min(max(donor * f, 1e-4), 1e-1)) for f in (1.2, 0.8)), (donor, lagging.params)
    for t in trials:
        study.tell(t, 0.5)


def test_a_pbt_worker_loads_its_donors_checkpoint_and_trains_on_with_the_new_params(server, tmp_path):
    study = optuna.create_study(direction="maximize", storage=server, space={"lr": optuna.Float(1e-3, 1.0, log=True)},
                                sampler=optuna.samplers.RandomSampler(seed=4),
                                pruner=optuna.pruners.PopulationBasedTraining(perturbation_interval=1, resample_probability=0, population_size=4))
    members = study.ask(4)
    # Each member's "model" is one weight that training raises by its learning rate; member 3 starts far behind.
    weights = {m.number: -float(i) for i, m in enumerate(members)}
    exploited = []
    for step in range(2):
        for m in members:
            weights[m.number] += m.params["lr"]
            checkpoint = tmp_path / f"trial-{m.number}-step-{step}.json"
            checkpoint.write_text(json.dumps({"weight": weights[m.number]}))
            m.report(weights[m.number], step=step, checkpoint=str(checkpoint))
            if m.exploit is not None:
                weights[m.number] = json.loads(pathlib.Path(m.exploit.donor_checkpoint).read_text())["weight"]
                exploited.append((step, m.number, m.exploit.donor_trial, weights[m.number], m.params["lr"]))
    step, lagging, donor, loaded, lr = exploited[0]
    assert (step, lagging, donor) == (0, members[3].number, members[0].number)
    assert loaded == pytest.approx(members[0].params["lr"])  # the donor's weight after its first epoch
    # The next epoch trains the donor's weights with the perturbed rate: the report shows both.
    assert study.trials[lagging].intermediate_values[1] == pytest.approx(loaded + lr)
    assert lr in (pytest.approx(min(members[0].params["lr"] * 1.2, 1.0)), pytest.approx(members[0].params["lr"] * 0.8))
    for m in members:
        study.tell(m, weights[m.number])


def test_optimize_ends_when_the_pbt_population_has_started(server):
    study = optuna.create_study(direction="maximize", storage=server, space={"lr": optuna.Float(1e-4, 1e-1, log=True)},
                                pruner=optuna.pruners.PopulationBasedTraining(population_size=3))
    assert study.message.pruner.pbt.population_size == 3
    study.optimize(lambda t: t.params["lr"], n_trials=10, n_jobs=2)
    assert len(study.trials) == 3
    with pytest.raises(grpc.RpcError) as full:
        study.ask()
    assert full.value.code() == grpc.StatusCode.OUT_OF_RANGE and "pruner.pbt.population_size" in full.value.details()


def test_compute_totals_are_the_sum_of_what_the_workers_reported(server):
    study = optuna.create_study(storage=server, sampler=optuna.samplers.RandomSampler(seed=9))

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        trial.set_compute(samples=1000, epochs=2, device_kind="cpu", device_count=1)
        trial.report(x, 0)
        sum(i * i for i in range(20_000))  # some CPU time to measure
        return x

    study.optimize(objective, n_trials=4)
    trials = study.trials
    assert all(t.compute["samples"] == 1000 and t.compute["epochs"] == 2 and t.compute["device_kind"] == "cpu" for t in trials)
    assert all(t.compute["wall_seconds"] > 0 and t.compute["cpu_seconds"] >= 0 for t in trials)
    total = study.compute_total
    assert total["samples"] == 4000 and total["epochs"] == 8 and total["device_count"] == 1
    assert total["wall_seconds"] == pytest.approx(sum(t.compute["wall_seconds"] for t in trials))
    assert total["cpu_seconds"] == pytest.approx(sum(t.compute["cpu_seconds"] for t in trials))


@pytest.mark.parametrize("make", [
    lambda: optuna.samplers.RandomSampler(seed=1),
    lambda: optuna.samplers.TPESampler(seed=1, multivariate=True, n_startup_trials=2),
    lambda: optuna.samplers.GPSampler(seed=1, n_startup_trials=2),
    lambda: optuna.samplers.CmaEsSampler(seed=1),
    lambda: optuna.samplers.NSGAIISampler(seed=1, population_size=4),
], ids=["random", "tpe-multivariate", "gp", "cmaes", "nsga2"])
def test_every_free_sampler_runs_a_define_by_run_objective(server, make):
    study = optuna.create_study(storage=server, sampler=make())

    def objective(trial):
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return trial.suggest_float("x", -3, 3) ** 2 + (trial.suggest_int("n", 1, 4) if kind == "b" else 0)

    study.optimize(objective, n_trials=8)
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.COMPLETE] * 8


def test_a_qmc_study_covers_its_declared_parameters_and_draws_the_others(server):
    study = optuna.create_study(storage=server, space={"x": optuna.Float(0, 1)}, sampler=optuna.samplers.QMCSampler(seed=2))
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=4)
    assert len({t.params["x"] for t in study.trials}) == 4 and all(0 <= t.params["y"] <= 1 for t in study.trials)
