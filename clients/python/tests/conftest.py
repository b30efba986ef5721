"""A real GrpcTuner server (the .NET build output) on a free loopback port for each test session."""
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "clients" / "python"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    binary = next((p for p in (ROOT / "src/GrpcTuner.Server/bin" / c / "net10.0/grpctuner-server" for c in ("Release", "Debug")) if p.exists()), None)
    if binary is None:
        pytest.fail("the server is not built: run 'dotnet build GrpcTuner.sln -c Release' (tests/run.sh does) before the Python tests")
    port = _free_port()
    journal = tempfile.NamedTemporaryFile(suffix=".journal", delete=False).name
    process = subprocess.Popen([str(binary), "--port", str(port), "--journal", journal, "--reap-interval", "00:00:00.200", "--no-auth"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("the server did not start")
            time.sleep(0.1)
    yield f"127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)
    os.unlink(journal)
