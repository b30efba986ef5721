"""The Python quickstart in clients/README.md, exactly as written: `pip install ./clients/python` into a
fresh virtual environment made with --system-site-packages, then every Python snippet run with it."""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import ROOT


def test_pip_install_then_every_readme_snippet_runs_as_written(server):
    readme = (ROOT / "clients" / "README.md").read_text()
    install = re.search(r"```bash\n(python3 -m venv.*?)\n```", readme, re.S).group(1)
    snippets = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert len(snippets) >= 2 and "import grpctuner as optuna" in snippets[0], "the Optuna-style quickstart comes first"
    with tempfile.TemporaryDirectory() as home:
        # The README's command, with the venv made in a temporary folder instead of the repository.
        command = install.replace(".venv", str(Path(home) / "venv")).replace("python3 -m venv", f"{sys.executable} -m venv")
        installed = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=300,
                                   env={**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
        assert installed.returncode == 0, installed.stdout + installed.stderr
        python = str(Path(home) / "venv/bin/python")
        for code in snippets:
            # Run outside the repository, so that only the installed package can be imported.
            result = subprocess.run([python, "-c", code], cwd=home, capture_output=True, text=True, timeout=120,
                                    env={**os.environ, "GRPCTUNER_SERVER": server})
            assert result.returncode == 0, result.stderr
            best = eval(result.stdout.strip().splitlines()[-1], {})  # each snippet prints the best params as a dict
            assert -5 <= best["x"] <= 10 and best["opt"] in ("adam", "sgd")
        location = subprocess.run([python, "-c", "import grpctuner; print(grpctuner.__file__)"], cwd=home, capture_output=True, text=True)
        assert "site-packages" in location.stdout, location.stdout + location.stderr
