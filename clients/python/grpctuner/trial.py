"""Trials, Optuna style: a running Trial whose objective suggests parameters as it goes (define-by-run
over the server), and FrozenTrial, a trial as stored. Names and defaults are Optuna's (optuna.trial)."""
import datetime
import enum
import json
import threading
import time
from typing import Any, Dict, List, Optional, Sequence, Union

import grpc
from google.protobuf import duration_pb2

from .space import Categorical, Float, Int, from_distribution, from_params, from_value, to_params
from .v1 import search_space_pb2 as ss, trial_pb2, tuner_service_pb2 as svc, tuner_service_pb2_grpc as svc_grpc


class TrialState(str, enum.Enum):
    """Optuna's TrialState; each member also equals its lower-case name ("complete")."""

    RUNNING = "running"
    COMPLETE = "complete"
    PRUNED = "pruned"
    FAIL = "fail"
    WAITING = "waiting"

    def is_finished(self) -> bool:
        return self in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)

    def to_proto(self) -> int:
        return trial_pb2.TrialState.Value(f"TRIAL_STATE_{self.name}")

    @staticmethod
    def from_proto(state: int) -> "TrialState":
        return TrialState[trial_pb2.TrialState.Name(state).replace("TRIAL_STATE_", "")]

    @staticmethod
    def of(state: Union[str, "TrialState"], field: str = "state") -> "TrialState":
        """A state from its enum member or name, any case ("pruned", TrialState.PRUNED)."""
        if isinstance(state, TrialState):
            return state
        try:
            return TrialState(str(state).lower())
        except ValueError:
            raise ValueError(f"{field}: {state!r} is not one of {', '.join(repr(s.value) for s in TrialState)}") from None


def _attr_to_wire(value: Any) -> str:
    # The wire keeps strings; anything else travels as JSON, as Optuna stores user attributes.
    return value if isinstance(value, str) else json.dumps(value)


def _attr_from_wire(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if not isinstance(value, str) else text


def _time(ts) -> Optional[datetime.datetime]:
    return ts.ToDatetime() if ts.seconds or ts.nanos else None


class Exploit:
    """What a PBT report answered EXPLOIT with: load the donor's checkpoint, go on with the new params
    (already the trial's params, on the server and in trial.params)."""

    def __init__(self, message):
        self.donor_trial: int = message.donor_trial
        self.donor_checkpoint: str = message.donor_checkpoint
        self.params: Dict[str, Any] = from_params(message.params)

    def __repr__(self) -> str:
        return f"Exploit(donor_trial={self.donor_trial}, donor_checkpoint={self.donor_checkpoint!r}, params={self.params!r})"


class Trial:
    """A running trial. suggest_* give a parameter as the objective asks: the value the server proposed
    for that distribution with the Ask is taken without a call (and recorded with the next call);
    anything else is one Suggest call. A heartbeat thread keeps the lease until the trial is told."""

    def __init__(self, stub: svc_grpc.TunerServiceStub, study, message: trial_pb2.Trial, worker_id: str, lease_seconds: int):
        self._stub, self._study, self._message, self._worker = stub, study, message, worker_id
        self.number: int = message.number
        self._declared = {spec.name: spec for spec in study.message.search_space.params}
        self._given: Dict[str, Any] = from_params(message.params)
        self._distributions: Dict[str, Any] = {}
        self._taken: Dict[str, ss.Distribution] = {}
        self._user_attrs: Dict[str, Any] = {}
        self._prune = False
        self.exploit: Optional[Exploit] = None
        self._compute = trial_pb2.Compute()
        self._started = (time.perf_counter(), time.process_time())
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beats = threading.Thread(target=self._heartbeat, args=(max(lease_seconds / 3, 0.5), lease_seconds), daemon=True)
        self._beats.start()

    def __repr__(self) -> str:
        return f"Trial(number={self.number}, params={self.params!r})"

    @property
    def params(self) -> Dict[str, Any]:
        return dict(self._given)

    @property
    def distributions(self) -> Dict[str, Any]:
        return dict(self._distributions)

    @property
    def user_attrs(self) -> Dict[str, Any]:
        return dict(self._user_attrs)

    @property
    def study(self):
        return self._study

    def suggest_float(self, name: str, low: float, high: float, *, step: Optional[float] = None, log: bool = False) -> float:
        return float(self._suggest(name, Float(low, high, log=log, step=step)))

    def suggest_int(self, name: str, low: int, high: int, step: int = 1, log: bool = False) -> int:
        return int(self._suggest(name, Int(low, high, log=log, step=step)))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        return self._suggest(name, Categorical(list(choices)))

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        return self.suggest_float(name, low, high)

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        return self.suggest_float(name, low, high, log=True)

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        return self.suggest_float(name, low, high, step=q)

    def report(self, value: float, step: int, checkpoint: Optional[str] = None) -> bool:
        """Records an intermediate value, with where this step's checkpoint is (a path every worker can read, for
        PBT); True (and should_prune() from now on) when the pruner says stop. Under PBT the answer may instead be
        EXPLOIT: trial.exploit then holds the donor's checkpoint to load and the new params, which trial.params
        already shows."""
        with self._lock:
            request = svc.ReportRequest(study=self._study.name, study_id=self._study.message.study_id, trial_number=self.number,
                                        step=step, value=float(value), checkpoint=checkpoint or "", suggested=self._pending(),
                                        compute=self._measured())
            response = self._stub.Report(request)
            self._taken.clear()
            self.exploit = Exploit(response.exploit) if response.decision == svc.DECISION_EXPLOIT else None
            if self.exploit is not None:
                self._given.update(self.exploit.params)
        self._prune = response.decision == svc.DECISION_PRUNE
        return self._prune

    def should_prune(self) -> bool:
        return self._prune

    def set_compute(self, *, samples: Optional[int] = None, epochs: Optional[int] = None, device_kind: Optional[str] = None,
                    device_count: Optional[int] = None) -> None:
        """Totals of what the trial has gone through so far; they travel with every report and the tell, beside the
        wall and CPU seconds this trial measures itself (CPU: this process's, since the trial started)."""
        for field, value in (("samples", samples), ("epochs", epochs), ("device_kind", device_kind), ("device_count", device_count)):
            if value is not None:
                setattr(self._compute, field, value)

    def _measured(self) -> trial_pb2.Compute:
        compute = trial_pb2.Compute()
        compute.CopyFrom(self._compute)
        compute.wall_seconds = time.perf_counter() - self._started[0]
        compute.cpu_seconds = time.process_time() - self._started[1]
        return compute

    def set_user_attr(self, key: str, value: Any) -> None:
        """Kept with the trial and sent with its Tell."""
        self._user_attrs[key] = value

    def _suggest(self, name: str, distribution) -> Any:
        wire = distribution.to_distribution()
        with self._lock:
            if name in self._distributions and self._distributions[name].to_distribution() == wire:
                return self._given[name]
            declared = self._declared.get(name)
            if declared is not None and name in self._given and name not in self._distributions:
                kind = declared.WhichOneof("distribution")
                if ss.Distribution(**{kind: getattr(declared, kind)}) == wire:
                    self._distributions[name] = distribution
                    return self._given[name]
            proposal = self._message.proposals.get(name) if name not in self._given else None
            if proposal is not None and proposal.HasField("distribution") and proposal.distribution == wire:
                self._taken[name] = wire
                value = from_value(proposal.value)
            else:
                request = svc.SuggestRequest(study=self._study.name, study_id=self._study.message.study_id, trial_number=self.number,
                                             worker_id=self._worker, name=name, distribution=wire, suggested=self._pending())
                value = from_value(self._stub.Suggest(request).value)
                self._taken.clear()
            self._given[name] = value
            self._distributions[name] = distribution
            return value

    def _pending(self) -> Optional[svc.SuggestedParams]:
        return svc.SuggestedParams(params=self._taken) if self._taken else None

    def _tell_request(self, state: TrialState, values: List[float], reason: str) -> svc.TellRequest:
        with self._lock:
            request = svc.TellRequest(study=self._study.name, study_id=self._study.message.study_id, trial_number=self.number,
                                      state=state.to_proto(), values=values, reason=reason, suggested=self._pending(),
                                      user_attrs={k: _attr_to_wire(v) for k, v in self._user_attrs.items()}, compute=self._measured())
            self._taken.clear()
            return request

    def _heartbeat(self, interval: float, lease_seconds: int) -> None:
        while not self._stop.wait(interval):
            try:
                self._stub.Heartbeat(svc.HeartbeatRequest(study=self._study.name, study_id=self._study.message.study_id, trial_number=self.number,
                                                          lease_duration=duration_pb2.Duration(seconds=lease_seconds)))
            except grpc.RpcError as e:
                if e.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
                    return

    def _stop_heartbeats(self) -> None:
        self._stop.set()


class FrozenTrial:
    """A trial as stored, with Optuna's attributes (number, state, value(s), params, distributions,
    user_attrs, intermediate_values, datetime_start/complete, duration, last_step)."""

    def __init__(self, message: trial_pb2.Trial, declared=None):
        self.number: int = message.number
        self.state: TrialState = TrialState.from_proto(message.state)
        self.values: List[float] = list(message.values)
        self.value: Optional[float] = self.values[0] if len(self.values) == 1 else None
        self.params: Dict[str, Any] = from_params(message.params)
        self.distributions: Dict[str, Any] = {name: declared[name] for name in self.params if declared and name in declared}
        self.distributions.update({name: from_distribution(d) for name, d in message.distributions.items()})
        self.intermediate_values: Dict[int, float] = {iv.step: iv.value for iv in message.intermediate_values}
        self.user_attrs: Dict[str, Any] = {k: _attr_from_wire(v) for k, v in message.user_attrs.items()}
        self.system_attrs: Dict[str, Any] = {}
        self.datetime_start = _time(message.start_time)
        self.datetime_complete = _time(message.complete_time)
        self.duration = self.datetime_complete - self.datetime_start if self.datetime_start and self.datetime_complete else None
        self.last_step: Optional[int] = max(self.intermediate_values) if self.intermediate_values else None
        self.worker_id: str = message.worker_id
        self.compute: Dict[str, Any] = {f.name: getattr(message.compute, f.name) for f in message.compute.DESCRIPTOR.fields} if message.HasField("compute") else {}
        self.reason: str = message.reason

    def __repr__(self) -> str:
        return f"FrozenTrial(number={self.number}, state={self.state.value!r}, values={self.values!r}, params={self.params!r})"

    def to_proto(self) -> svc.FrozenTrial:
        """The trial as AddTrials imports it."""
        if not self.state.is_finished():
            raise ValueError(f"state: only finished trials can be added, got {self.state.value!r}")
        missing = [name for name in self.params if name not in self.distributions]
        if missing:
            raise ValueError(f"distributions: missing for {', '.join(missing)}")
        return svc.FrozenTrial(params=to_params(self.params), state=self.state.to_proto(), values=self.values,
                               intermediate_values=[trial_pb2.IntermediateValue(step=s, value=v) for s, v in sorted(self.intermediate_values.items())],
                               user_attrs={k: _attr_to_wire(v) for k, v in self.user_attrs.items()},
                               distributions={name: d.to_distribution() for name, d in self.distributions.items()})


def create_trial(*, state: Union[str, TrialState] = TrialState.COMPLETE, value: Optional[float] = None, values: Optional[Sequence[float]] = None,
                 params: Optional[Dict[str, Any]] = None, distributions: Optional[Dict[str, Any]] = None,
                 user_attrs: Optional[Dict[str, Any]] = None, intermediate_values: Optional[Dict[int, float]] = None) -> FrozenTrial:
    """Optuna's create_trial: a finished trial to pass to study.add_trial."""
    if value is not None and values is not None:
        raise ValueError("value, values: give one of them, not both")
    message = trial_pb2.Trial(state=TrialState.of(state).to_proto(), values=[value] if value is not None else list(values or []),
                              params=to_params(params or {}),
                              intermediate_values=[trial_pb2.IntermediateValue(step=s, value=v) for s, v in sorted((intermediate_values or {}).items())])
    frozen = FrozenTrial(message)
    frozen.distributions = dict(distributions or {})
    frozen.user_attrs = dict(user_attrs or {})
    return frozen
