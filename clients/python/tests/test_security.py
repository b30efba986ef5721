"""The Python client against a server with TLS and API keys: a CA file, a bearer token, and the refusals."""
import os
import subprocess
import sys
import uuid

import grpc
import pytest

import grpctuner
from conftest import ADMIN_KEY, ROOT


def test_tls_with_a_ca_file_and_an_api_key(secure_server):
    address, ca_file = secure_server
    name = f"py-tls-{uuid.uuid4().hex[:8]}"
    study = grpctuner.create_study(name, {"x": grpctuner.Float(0, 1)}, "minimize", server=address, api_key=ADMIN_KEY, ca_file=ca_file)
    trial = study.ask()
    study.tell(trial, 0.25)
    assert grpctuner.load_study(name, server=address, api_key=ADMIN_KEY, ca_file=ca_file).best_trial.value == 0.25


def test_without_a_key_the_call_is_unauthenticated(secure_server):
    address, ca_file = secure_server
    with pytest.raises(grpc.RpcError) as refused:
        grpctuner.load_study("anything", server=address, api_key="", ca_file=ca_file)
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_server_certificate_from_another_ca_is_refused(secure_server, tmp_path):
    address, _ = secure_server
    subprocess.run(["bash", str(ROOT / "clients/testing/make-certs.sh"), str(tmp_path)], check=True)
    with pytest.raises(grpc.RpcError) as refused:
        grpctuner.load_study("anything", server=address, api_key=ADMIN_KEY, ca_file=str(tmp_path / "ca.pem"))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_an_https_address_without_a_ca_file_trusts_the_default_roots(secure_server):
    # gRPC reads its default roots once per process, so each case runs in a fresh one; GRPC_DEFAULT_SSL_ROOTS_FILE_PATH
    # stands in for a system store that holds the test CA, which a test cannot change.
    address, ca_file = secure_server
    code = "import grpctuner, sys; grpctuner.get_all_study_summaries(server=sys.argv[1], api_key=sys.argv[2]); print('trusted')"
    env = {k: v for k, v in os.environ.items() if k != "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"}

    def run(extra):
        return subprocess.run([sys.executable, "-c", code, f"https://{address}", ADMIN_KEY], cwd=ROOT / "clients/python",
                              capture_output=True, text=True, timeout=60, env={**env, **extra})

    trusted = run({"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": ca_file})
    assert trusted.returncode == 0 and trusted.stdout.strip() == "trusted", trusted.stderr
    untrusted = run({})
    assert untrusted.returncode != 0 and "UNAVAILABLE" in untrusted.stderr, untrusted.stderr
