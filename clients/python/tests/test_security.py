"""The Python client against a server with TLS and API keys: a CA file, a bearer token, and the refusals."""
import subprocess
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
