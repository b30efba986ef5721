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


ADMIN_KEY = "python-tests-admin-key"


def _start(*extra: str):
    binary = next((p for p in (ROOT / "src/GrpcTuner.Server/bin" / c / "net10.0/grpctuner-server" for c in ("Release", "Debug")) if p.exists()), None)
    if binary is None:
        pytest.fail("the server is not built: run 'dotnet build GrpcTuner.sln -c Release' (tests/run.sh does) before the Python tests")
    port = _free_port()
    journal = tempfile.NamedTemporaryFile(suffix=".journal", delete=False).name
    process = subprocess.Popen([str(binary), "--port", str(port), "--journal", journal, "--reap-interval", "00:00:00.200", *extra],
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
    return process, port, journal


def _stop(process, journal):
    process.terminate()
    process.wait(timeout=10)
    os.unlink(journal)


@pytest.fixture(scope="session")
def server():
    """A server with authentication off (--no-auth), as on a laptop."""
    process, port, journal = _start("--no-auth")
    yield f"127.0.0.1:{port}"
    _stop(process, journal)


@pytest.fixture(scope="session")
def secure_server(tmp_path_factory):
    """A server with TLS (a throwaway CA from clients/testing/make-certs.sh) and authentication on: (address, CA file)."""
    certs = tmp_path_factory.mktemp("certs")
    subprocess.run(["bash", str(ROOT / "clients/testing/make-certs.sh"), str(certs)], check=True)
    process, port, journal = _start("--admin-key", ADMIN_KEY, "--tls-cert", str(certs / "server.pem"), "--tls-key", str(certs / "server.key"))
    yield f"127.0.0.1:{port}", str(certs / "ca.pem")
    _stop(process, journal)
