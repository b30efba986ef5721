"""Studies and trials over gRPC, Optuna style. Ask retries on UNAVAILABLE reuse one request id,
so a retried Ask returns the same trial; heartbeats run on a background thread until the trial is
told."""
import json
import os
import threading
import uuid
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import grpc
from google.protobuf import duration_pb2

from .space import from_params, space_to_proto, to_params
from .v1 import study_pb2, trial_pb2, tuner_service_pb2 as svc, tuner_service_pb2_grpc as svc_grpc

_RETRIED = ["CreateStudy", "GetStudy", "ListStudies", "Ask", "Tell", "Report", "Heartbeat", "GetTrial", "ListTrials", "GetBestTrials"]
# round_robin: a DNS name with several replicas (dns:///tuner:50051) spreads calls over all of them.
_SERVICE_CONFIG = json.dumps({"loadBalancingConfig": [{"round_robin": {}}], "methodConfig": [{
    "name": [{"service": "grpctuner.v1.TunerService", "method": m} for m in _RETRIED],
    "retryPolicy": {"maxAttempts": 5, "initialBackoff": "0.1s", "maxBackoff": "2s", "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"]},
}]})
_STATES = {"complete": trial_pb2.TRIAL_STATE_COMPLETE, "pruned": trial_pb2.TRIAL_STATE_PRUNED, "fail": trial_pb2.TRIAL_STATE_FAIL}
_DIRECTIONS = {"minimize": study_pb2.DIRECTION_MINIMIZE, "maximize": study_pb2.DIRECTION_MAXIMIZE}


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


def _target(server: Optional[str], tls: bool):
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


def _connect(server: Optional[str], api_key: Optional[str] = None, ca_file: Optional[str] = None) -> svc_grpc.TunerServiceStub:
    """A stub on one channel. server defaults to $GRPCTUNER_SERVER, then 127.0.0.1:50051; api_key to
    $GRPCTUNER_API_KEY; ca_file (a PEM CA, for a server with TLS) to $GRPCTUNER_CA_FILE. An https:// address
    without a CA file trusts the system's roots."""
    api_key = api_key if api_key is not None else os.environ.get("GRPCTUNER_API_KEY")
    ca_file = ca_file if ca_file is not None else os.environ.get("GRPCTUNER_CA_FILE")
    target, tls = _target(server, tls=bool(ca_file))
    options = [("grpc.service_config", _SERVICE_CONFIG), ("grpc.enable_retries", 1)]
    if tls:
        roots = None
        if ca_file:
            with open(ca_file, "rb") as f:
                roots = f.read()
        channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=roots), options=options)
    else:
        channel = grpc.insecure_channel(target, options=options)
    if api_key:
        channel = grpc.intercept_channel(channel, _BearerToken(api_key))
    return svc_grpc.TunerServiceStub(channel)


def create_study(name: str, space: Dict[str, Any], direction: Union[str, Sequence[str]] = "minimize", *,
                 server: Optional[str] = None, sampler: Optional[study_pb2.SamplerConfig] = None,
                 pruner: Optional[study_pb2.PrunerConfig] = None, max_retries: int = 0,
                 load_if_exists: bool = False, worker_id: Optional[str] = None, lease_seconds: int = 60,
                 api_key: Optional[str] = None, ca_file: Optional[str] = None) -> "Study":
    """Creates a study (or loads it with load_if_exists). direction: "minimize", "maximize" or a list of them.
    api_key and ca_file: see _connect."""
    stub = _connect(server, api_key, ca_file)
    directions = [direction] if isinstance(direction, str) else list(direction)
    for d in directions:
        if d not in _DIRECTIONS:
            raise ValueError(f"direction: {d!r} is not one of {', '.join(map(repr, _DIRECTIONS))}")
    request = svc.CreateStudyRequest(name=name, search_space=space_to_proto(space), directions=[_DIRECTIONS[d] for d in directions],
                                     max_retries=max_retries, load_if_exists=load_if_exists)
    if sampler is not None:
        request.sampler.CopyFrom(sampler)
    if pruner is not None:
        request.pruner.CopyFrom(pruner)
    return Study(stub, stub.CreateStudy(request), worker_id, lease_seconds)


def load_study(name: str, *, server: Optional[str] = None, worker_id: Optional[str] = None, lease_seconds: int = 60,
               api_key: Optional[str] = None, ca_file: Optional[str] = None) -> "Study":
    stub = _connect(server, api_key, ca_file)
    return Study(stub, stub.GetStudy(svc.GetStudyRequest(study=name)), worker_id, lease_seconds)


class Trial:
    """A running trial: its number and params, reports, and a heartbeat thread."""

    def __init__(self, stub: svc_grpc.TunerServiceStub, study: str, study_id: str, message: trial_pb2.Trial, lease_seconds: int):
        # study_id: the study's incarnation, so that a call for a study deleted and created again under its name is NOT_FOUND.
        self._stub, self._study, self._study_id, self._message = stub, study, study_id, message
        self.number: int = message.number
        self.params: Dict[str, Any] = from_params(message.params)
        self._stop = threading.Event()
        self._beats = threading.Thread(target=self._heartbeat, args=(max(lease_seconds / 3, 0.5), lease_seconds), daemon=True)
        self._beats.start()

    def __repr__(self) -> str:
        return f"Trial(number={self.number}, params={self.params!r})"

    def report(self, value: float, step: int) -> bool:
        """Reports an intermediate value; True means the pruner says stop (then tell "pruned")."""
        response = self._stub.Report(svc.ReportRequest(study=self._study, study_id=self._study_id, trial_number=self.number, step=step, value=value))
        return response.decision == svc.DECISION_PRUNE

    def _heartbeat(self, interval: float, lease_seconds: int) -> None:
        while not self._stop.wait(interval):
            try:
                self._stub.Heartbeat(svc.HeartbeatRequest(study=self._study, study_id=self._study_id, trial_number=self.number,
                                                          lease_duration=duration_pb2.Duration(seconds=lease_seconds)))
            except grpc.RpcError as e:
                if e.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
                    return

    def _stop_heartbeats(self) -> None:
        self._stop.set()


class FrozenTrial:
    """A trial as stored: number, state, values, params, intermediate values."""

    def __init__(self, message: trial_pb2.Trial):
        self.number: int = message.number
        self.state: str = trial_pb2.TrialState.Name(message.state).replace("TRIAL_STATE_", "").lower()
        self.values: List[float] = list(message.values)
        self.value: Optional[float] = self.values[0] if self.values else None
        self.params: Dict[str, Any] = from_params(message.params)
        self.intermediate_values: Dict[int, float] = {iv.step: iv.value for iv in message.intermediate_values}
        self.user_attrs: Dict[str, str] = dict(message.user_attrs)

    def __repr__(self) -> str:
        return f"FrozenTrial(number={self.number}, state={self.state!r}, values={self.values!r}, params={self.params!r})"


class Study:
    def __init__(self, stub: svc_grpc.TunerServiceStub, message: study_pb2.Study, worker_id: Optional[str], lease_seconds: int):
        self._stub, self.message = stub, message
        self.name: str = message.name
        self._worker = worker_id or f"python-{uuid.uuid4().hex[:8]}"
        self._lease = lease_seconds

    def __repr__(self) -> str:
        directions = [study_pb2.Direction.Name(d).replace("DIRECTION_", "").lower() for d in self.message.directions]
        return f"Study(name={self.name!r}, directions={directions!r}, sampler={self.message.sampler.WhichOneof('kind')!r})"

    def ask(self) -> Trial:
        request = svc.AskRequest(study=self.name, worker_id=self._worker, count=1, request_id=uuid.uuid4().hex,
                                 lease_duration=duration_pb2.Duration(seconds=self._lease))
        return Trial(self._stub, self.name, self.message.study_id, self._stub.Ask(request).trials[0], self._lease)

    def tell(self, trial: Trial, values: Union[None, float, Sequence[float]] = None, state: str = "complete", reason: str = "") -> FrozenTrial:
        """Finishes a trial: a value (or one per objective) for "complete", nothing for "pruned" or "fail"."""
        trial._stop_heartbeats()
        numbers = [] if values is None else [values] if isinstance(values, (int, float)) else list(values)
        request = svc.TellRequest(study=self.name, study_id=self.message.study_id, trial_number=trial.number, state=_STATES[state], values=numbers, reason=reason)
        return FrozenTrial(self._stub.Tell(request))

    def enqueue(self, params: Dict[str, Any]) -> int:
        """Runs these params before the sampler's next suggestion; returns the queue length."""
        return self._stub.EnqueueTrial(svc.EnqueueTrialRequest(study=self.name, params=to_params(params))).queue_length

    @property
    def best_trials(self) -> List[FrozenTrial]:
        return [FrozenTrial(t) for t in self._stub.GetBestTrials(svc.GetBestTrialsRequest(study=self.name)).trials]

    @property
    def best_trial(self) -> Optional[FrozenTrial]:
        best = self.best_trials
        return best[0] if best else None

    @property
    def trials(self) -> List[FrozenTrial]:
        result, token = [], ""
        while True:
            page = self._stub.ListTrials(svc.ListTrialsRequest(study=self.name, page_token=token))
            result.extend(FrozenTrial(t) for t in page.trials)
            token = page.next_page_token
            if not token:
                return result

    def watch(self, cursor: str = "", timeout: Optional[float] = None) -> Iterator[Tuple[str, FrozenTrial]]:
        """Every trial change from a cursor (empty: a snapshot first), as (cursor, trial)."""
        for event in self._stub.WatchStudy(svc.WatchStudyRequest(study=self.name, cursor=cursor), timeout=timeout):
            yield event.cursor, FrozenTrial(event.trial)
