"""Programs written in Optuna's documented style run unchanged against Debian's optuna 3.1 and against
grpctuner, but for `import grpctuner as optuna` and the storage each run() is given (None: Optuna's
in-memory storage; the server's address). Each program asserts what it expects of its study; here
every run must also end with finished trials whose values are valid and whose every parameter lies
in the distribution it was suggested from."""
import math
from pathlib import Path

import pytest

PROGRAMS = sorted((Path(__file__).parent / "optuna_programs").glob("*.py"))


def _load(program: Path, backend: str):
    source = program.read_text()
    assert source.count("import optuna\n") == 1, f"{program.name} must import optuna exactly once"
    if backend == "grpctuner":
        source = source.replace("import optuna\n", "import grpctuner as optuna\n")
    namespace = {"__name__": f"optuna_programs.{program.stem}"}
    exec(compile(source, str(program), "exec"), namespace)
    return namespace["run"]


def _contains(distribution, value, backend: str) -> bool:
    if backend == "optuna":
        return distribution._contains(distribution.to_internal_repr(value))
    kind = type(distribution).__name__
    if kind == "Categorical":
        return value in distribution.choices and type(value) in {type(c) for c in distribution.choices}
    if kind == "Int" and not isinstance(value, int):
        return False
    if not distribution.low <= value <= distribution.high:
        return False
    step = distribution.step
    return step is None or abs((value - distribution.low) / step - round((value - distribution.low) / step)) < 1e-8


def test_there_are_at_least_eight_programs():
    assert len(PROGRAMS) >= 8, [p.name for p in PROGRAMS]


@pytest.mark.parametrize("backend", ["optuna", "grpctuner"])
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_an_optuna_program_runs_unchanged(program, backend, server):
    if backend == "optuna":
        try:
            import optuna  # noqa: F401
        except ImportError:
            pytest.fail("Optuna is not installed: apt-get install python3-optuna (tests/run.sh installs it)")
    run = _load(program, backend)
    study = run(None if backend == "optuna" else server)
    trials = study.trials
    assert trials, f"{program.stem} ran no trial"
    for t in trials:
        assert t.state.is_finished(), (program.stem, t.number, t.state)
        if t.state.name == "COMPLETE":
            assert len(t.values) == len(study.directions) and all(math.isfinite(v) for v in t.values)
        assert set(t.params) == set(t.distributions), (t.params, t.distributions)
        for name, value in t.params.items():
            assert _contains(t.distributions[name], value, backend), (program.stem, t.number, name, value, t.distributions[name])
