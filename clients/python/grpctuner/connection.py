"""Channels to a server: the address rule every client and the agent share, retries, API keys and TLS.
Ask retries on UNAVAILABLE reuse one request id, so a retried Ask returns the same trial."""
import json
import os
from typing import Optional

import grpc

from .v1 import tuner_service_pb2_grpc as svc_grpc

_RETRIED = ["CreateStudy", "GetStudy", "ListStudies", "Ask", "Tell", "Suggest", "Report", "Heartbeat", "GetTrial", "ListTrials", "GetBestTrials"]
# round_robin: a DNS name with several replicas (dns:///tuner:50051) spreads calls over all of them.
_SERVICE_CONFIG = json.dumps({"loadBalancingConfig": [{"round_robin": {}}], "methodConfig": [{
    "name": [{"service": "grpctuner.v1.TunerService", "method": m} for m in _RETRIED],
    "retryPolicy": {"maxAttempts": 5, "initialBackoff": "0.1s", "maxBackoff": "2s", "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"]},
}]})


class _BearerToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds "authorization: Bearer <key>" to every call: works on plain and TLS channels alike."""

    def __init__(self, api_key: str):
        self._header = ("authorization", f"Bearer {api_key}")

    def _with_key(self, details):
        return details._replace(metadata=list(details.metadata or []) + [self._header])

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._with_key(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._with_key(details), request)


ADDRESS_FORMS = "host:port, http://host:port, https://host:port or dns:///name:port"


def target(server: Optional[str], tls: bool):
    """The gRPC target and whether to use TLS, from any of ADDRESS_FORMS (the rule every client and the agent
    share): http:// is plaintext, https:// is TLS, a bare host:port is TLS only with a CA file."""
    server = server or os.environ.get("GRPCTUNER_SERVER") or "127.0.0.1:50051"
    if server.startswith("dns:"):
        return server, tls
    scheme, sep, rest = server.partition("://")
    if sep and scheme not in ("http", "https"):
        raise ValueError(f"server: {server!r} is not a server address: give {ADDRESS_FORMS}")
    target = rest if sep else server
    host, colon, port = target.rstrip("/").rpartition(":")
    if not colon or not host or not port.isdigit():
        raise ValueError(f"server: {server!r} is not a server address: give {ADDRESS_FORMS}")
    return f"{host}:{port}", (scheme == "https") if sep else tls


def connect(server: Optional[str], api_key: Optional[str] = None, ca_file: Optional[str] = None) -> svc_grpc.TunerServiceStub:
    """A stub on one channel. server defaults to $GRPCTUNER_SERVER, then 127.0.0.1:50051; api_key to
    $GRPCTUNER_API_KEY; ca_file (a PEM CA, for a server with TLS) to $GRPCTUNER_CA_FILE. An https:// address
    without a CA file trusts the system's roots."""
    api_key = api_key if api_key is not None else os.environ.get("GRPCTUNER_API_KEY")
    ca_file = ca_file if ca_file is not None else os.environ.get("GRPCTUNER_CA_FILE")
    address, tls = target(server, tls=bool(ca_file))
    options = [("grpc.service_config", _SERVICE_CONFIG), ("grpc.enable_retries", 1)]
    if tls:
        roots = None
        if ca_file:
            with open(ca_file, "rb") as f:
                roots = f.read()
        channel = grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=roots), options=options)
    else:
        channel = grpc.insecure_channel(address, options=options)
    if api_key:
        channel = grpc.intercept_channel(channel, _BearerToken(api_key))
    return svc_grpc.TunerServiceStub(channel)
