"""The Python quickstart in clients/README.md, run exactly as written against a real server."""
import os
import re
import subprocess
import sys

from conftest import ROOT


def test_the_readme_quickstart_runs_as_written(server):
    readme = (ROOT / "clients" / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "GRPCTUNER_SERVER": server})
    assert result.returncode == 0, result.stderr
    best = eval(result.stdout.strip().splitlines()[-1], {})  # the quickstart prints the best params as a dict
    assert -5 <= best["x"] <= 10 and best["opt"] in ("adam", "sgd")
