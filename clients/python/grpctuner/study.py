"""Studies, Optuna style, served by a GrpcTuner server: create_study, load_study, delete_study,
get_all_study_summaries, and Study with optimize, ask/tell, enqueue_trial, add_trial(s), best_* and
trials. An Optuna program runs against the server by changing `import optuna` to
`import grpctuner as optuna` and giving the server's address as storage (or server)."""
import enum
import gc
import math
import os
import threading
import time
import uuid
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import grpc
from google.protobuf import duration_pb2

from .connection import connect
from .exceptions import TrialPruned
from .pruners import BasePruner, MedianPruner
from .samplers import BaseSampler, GridSampler
from .space import Categorical, from_spec, space_to_proto, to_params
from .trial import FrozenTrial, Trial, TrialState, _attr_from_wire, _attr_to_wire
from .v1 import study_pb2, tuner_service_pb2 as svc, tuner_service_pb2_grpc as svc_grpc


class StudyDirection(str, enum.Enum):
    """Optuna's StudyDirection; each member also equals its lower-case name ("minimize")."""

    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"

    def to_proto(self) -> int:
        return study_pb2.Direction.Value(f"DIRECTION_{self.name}")

    @staticmethod
    def of(direction: Union[str, "StudyDirection"]) -> "StudyDirection":
        if isinstance(direction, StudyDirection):
            return direction
        try:
            return StudyDirection(str(direction).lower())
        except ValueError:
            raise ValueError(f"direction: {direction!r} is not one of {', '.join(repr(d.value) for d in StudyDirection)}") from None


def _directions(direction, directions) -> List[StudyDirection]:
    if direction is not None and directions is not None:
        raise ValueError("direction, directions: give one of them, not both")
    if directions is None:
        directions = [direction or "minimize"] if direction is None or isinstance(direction, (str, StudyDirection)) else list(direction)
    return [StudyDirection.of(d) for d in directions]


def _address(storage: Any, server: Optional[str]) -> Optional[str]:
    """The server address from server= or storage= (where an Optuna program names its storage)."""
    if storage is not None and server is not None:
        raise ValueError("storage, server: give the server's address in one of them, not both")
    if storage is not None and not isinstance(storage, str):
        raise ValueError(f"storage: give the GrpcTuner server's address (host:port), not an Optuna storage object ({type(storage).__name__})")
    if storage is not None and storage.partition("://")[0] in ("sqlite", "mysql", "postgresql", "redis"):
        raise ValueError(f"storage: {storage!r} is an Optuna storage URL; give the GrpcTuner server's address (host:port) instead")
    return server if server is not None else storage


def create_study(study_name: Optional[str] = None, space: Optional[Dict[str, Any]] = None, direction: Union[None, str, StudyDirection, Sequence[str]] = None, *,
                 storage: Optional[str] = None, server: Optional[str] = None, sampler: Union[None, BaseSampler, study_pb2.SamplerConfig] = None,
                 pruner: Union[None, BasePruner, study_pb2.PrunerConfig] = None, directions: Optional[Sequence[Union[str, StudyDirection]]] = None,
                 load_if_exists: bool = False, max_retries: int = 0, worker_id: Optional[str] = None, lease_seconds: int = 60,
                 api_key: Optional[str] = None, ca_file: Optional[str] = None) -> "Study":
    """Creates a study (or loads it with load_if_exists), as optuna.create_study. space is optional: without
    it every parameter comes from the objective's suggest_* calls (define-by-run). The pruner defaults to
    MedianPruner for one objective, as in Optuna. server (or storage): host:port, http(s)://host:port or
    dns:///name:port, default $GRPCTUNER_SERVER; api_key and ca_file default to $GRPCTUNER_API_KEY and $GRPCTUNER_CA_FILE."""
    stub = connect(_address(storage, server), api_key, ca_file)
    wanted = _directions(direction, directions)
    if isinstance(sampler, GridSampler) and space is None:
        space = {name: Categorical(values) for name, values in sampler.search_space.items()}
    request = svc.CreateStudyRequest(name=study_name or f"no-name-{uuid.uuid4()}", search_space=space_to_proto(space or {}),
                                     directions=[d.to_proto() for d in wanted], max_retries=max_retries, load_if_exists=load_if_exists)
    if sampler is not None:
        request.sampler.CopyFrom(sampler.to_proto() if isinstance(sampler, BaseSampler) else sampler)
    if pruner is None and len(wanted) == 1:
        pruner = MedianPruner()
    if pruner is not None:
        request.pruner.CopyFrom(pruner.to_proto() if isinstance(pruner, BasePruner) else pruner)
    return Study(stub, stub.CreateStudy(request), worker_id, lease_seconds)


def load_study(study_name: Optional[str] = None, storage: Optional[str] = None, *, server: Optional[str] = None, worker_id: Optional[str] = None,
               lease_seconds: int = 60, api_key: Optional[str] = None, ca_file: Optional[str] = None) -> "Study":
    """The existing study of that name (its sampler and pruner are the ones it was created with)."""
    if not study_name:
        raise ValueError("study_name: give the name of the study to load")
    stub = connect(_address(storage, server), api_key, ca_file)
    return Study(stub, stub.GetStudy(svc.GetStudyRequest(study=study_name)), worker_id, lease_seconds)


def delete_study(study_name: Optional[str] = None, storage: Optional[str] = None, *, server: Optional[str] = None,
                 api_key: Optional[str] = None, ca_file: Optional[str] = None) -> None:
    if not study_name:
        raise ValueError("study_name: give the name of the study to delete")
    connect(_address(storage, server), api_key, ca_file).DeleteStudy(svc.DeleteStudyRequest(study=study_name))


class StudySummary:
    """Optuna's StudySummary: name, direction(s), trial count, best trial, user attributes, start."""

    def __init__(self, message: study_pb2.Study, n_trials: int, best_trial: Optional[FrozenTrial]):
        self.study_name: str = message.name
        self.directions: List[StudyDirection] = [StudyDirection(study_pb2.Direction.Name(d).replace("DIRECTION_", "").lower()) for d in message.directions]
        self.direction: Optional[StudyDirection] = self.directions[0] if len(self.directions) == 1 else None
        self.n_trials = n_trials
        self.best_trial = best_trial
        self.user_attrs: Dict[str, Any] = {k: _attr_from_wire(v) for k, v in message.user_attrs.items()}
        self.datetime_start = message.create_time.ToDatetime()

    def __repr__(self) -> str:
        return f"StudySummary(study_name={self.study_name!r}, n_trials={self.n_trials})"


def get_all_study_summaries(storage: Optional[str] = None, include_best_trial: bool = True, *, server: Optional[str] = None,
                            api_key: Optional[str] = None, ca_file: Optional[str] = None) -> List[StudySummary]:
    stub = connect(_address(storage, server), api_key, ca_file)
    summaries, token = [], ""
    while True:
        page = stub.ListStudies(svc.ListStudiesRequest(page_token=token))
        for message in page.studies:
            study = Study(stub, message, None, 60)
            best = study.best_trials if include_best_trial and len(message.directions) == 1 else []
            summaries.append(StudySummary(message, len(study.trials), best[0] if best else None))
        token = page.next_page_token
        if not token:
            return summaries


Objective = Callable[[Trial], Union[float, Sequence[float]]]
Callback = Callable[["Study", FrozenTrial], None]


class Study:
    def __init__(self, stub: svc_grpc.TunerServiceStub, message: study_pb2.Study, worker_id: Optional[str], lease_seconds: int):
        self._stub, self.message = stub, message
        self.name: str = message.name
        self._worker = worker_id or f"python-{uuid.uuid4().hex[:8]}"
        self._lease = lease_seconds
        self._declared = {spec.name: from_spec(spec) for spec in message.search_space.params}
        self._running: Dict[int, Trial] = {}
        self._stopped = False

    def __repr__(self) -> str:
        return f"Study(name={self.name!r}, directions={[d.value for d in self.directions]!r}, sampler={self.message.sampler.WhichOneof('kind')!r})"

    @property
    def study_name(self) -> str:
        return self.name

    @property
    def directions(self) -> List[StudyDirection]:
        return [StudyDirection(study_pb2.Direction.Name(d).replace("DIRECTION_", "").lower()) for d in self.message.directions]

    @property
    def direction(self) -> StudyDirection:
        if len(self.message.directions) != 1:
            raise RuntimeError("direction: this study has several objectives; use directions")
        return self.directions[0]

    @property
    def user_attrs(self) -> Dict[str, Any]:
        return {k: _attr_from_wire(v) for k, v in self.message.user_attrs.items()}

    @property
    def compute_total(self) -> Dict[str, Any]:
        """What every trial's worker reported it cost, summed: wall_seconds, cpu_seconds, samples, epochs, device_count (the largest)."""
        total = self._stub.GetStudy(svc.GetStudyRequest(study=self.name)).compute_total
        return {f.name: getattr(total, f.name) for f in total.DESCRIPTOR.fields if f.name != "device_kind"}

    def ask(self, fixed_distributions: Union[None, int, Dict[str, Any]] = None) -> Union[Trial, List[Trial]]:
        """A new running trial. fixed_distributions: parameters suggested at once (Optuna's ask); an int n asks
        for n trials in one call and returns a list."""
        if isinstance(fixed_distributions, int) and not isinstance(fixed_distributions, bool):
            return self._ask(fixed_distributions)
        trial = self._ask(1)[0]
        for name, distribution in (fixed_distributions or {}).items():
            trial._suggest(name, distribution)
        return trial

    def tell(self, trial: Union[Trial, int], values: Union[None, float, Sequence[float]] = None, state: Union[None, str, TrialState] = None,
             reason: str = "", skip_if_finished: bool = False) -> FrozenTrial:
        """Finishes a trial (or trial number): values for COMPLETE (the default state), none for PRUNED or FAIL."""
        state = TrialState.COMPLETE if state is None else TrialState.of(state)
        if not state.is_finished():
            raise ValueError(f"state: must be complete, pruned or fail, got {state.value!r}")
        numbers = [] if values is None else [values] if isinstance(values, (int, float)) else list(values)
        if state == TrialState.COMPLETE and not numbers:
            raise ValueError("values: a complete trial needs its objective value(s)")
        number = trial if isinstance(trial, int) else trial.number
        running = self._running.pop(number, None) if isinstance(trial, int) else trial
        if running is not None:
            running._stop_heartbeats()
            request = running._tell_request(state, numbers, reason)
        else:
            request = svc.TellRequest(study=self.name, study_id=self.message.study_id, trial_number=number, state=state.to_proto(), values=numbers, reason=reason)
        self._running.pop(number, None)
        try:
            return self._frozen(self._stub.Tell(request))
        except grpc.RpcError as e:
            if skip_if_finished and e.code() == grpc.StatusCode.FAILED_PRECONDITION:
                stored = self._frozen(self._stub.GetTrial(svc.GetTrialRequest(study=self.name, trial_number=number)))
                if stored.state.is_finished():
                    return stored
            raise

    def optimize(self, func: Objective, n_trials: Optional[int] = None, timeout: Optional[float] = None, n_jobs: int = 1,
                 catch: Union[Tuple[type, ...], List[type], type] = (), callbacks: Optional[List[Callback]] = None,
                 gc_after_trial: bool = False, show_progress_bar: bool = False) -> None:
        """Optuna's optimize: runs func on trials until n_trials have run, timeout seconds have passed, stop() is
        called or the server has no trial left to start (a grid handed out, a PBT population complete), n_jobs at a time (-1: one per CPU). TrialPruned tells PRUNED; an exception in catch tells FAIL and
        goes on; any other tells FAIL and is raised. A result that is not a finite number per objective is a FAIL."""
        catch = tuple(catch) if isinstance(catch, (list, tuple)) else (catch,)
        jobs = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
        if jobs < 1:
            raise ValueError(f"n_jobs: must be >= 1 or -1, got {n_jobs}")
        deadline = None if timeout is None else time.monotonic() + timeout
        lock, started = threading.Lock(), [0]
        self._stopped = False

        def claim() -> bool:
            with lock:
                if self._stopped or (n_trials is not None and started[0] >= n_trials) or (deadline is not None and time.monotonic() >= deadline):
                    return False
                started[0] += 1
                return True

        def work() -> None:
            while claim():
                frozen = self._run(func, catch)
                if frozen is None:
                    # Nothing left to hand out: as Optuna's GridSampler stops the study once its grid is done.
                    self._stopped = True
                    return
                for callback in callbacks or []:
                    callback(self, frozen)
                if gc_after_trial:
                    gc.collect()

        if jobs == 1:
            work()
            return
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(work) for _ in range(jobs)]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = next((f for f in done if f.exception() is not None), None)
            if failed is not None:
                self._stopped = True
                raise failed.exception()
            for f in futures:
                f.result()

    def stop(self) -> None:
        """Ends optimize() after the trials now running."""
        self._stopped = True

    def enqueue_trial(self, params: Dict[str, Any], user_attrs: Optional[Dict[str, Any]] = None, skip_if_exists: bool = False) -> None:
        """Runs these params before the sampler's next suggestion; partial params are allowed (the rest is sampled)."""
        if skip_if_exists and any(t.params == params for t in self.trials):
            return
        attrs = {k: _attr_to_wire(v) for k, v in (user_attrs or {}).items()}
        self._stub.EnqueueTrial(svc.EnqueueTrialRequest(study=self.name, params=to_params(params), user_attrs=attrs))

    def enqueue(self, params: Dict[str, Any]) -> int:
        """Runs these params before the sampler's next suggestion; returns the queue length."""
        return self._stub.EnqueueTrial(svc.EnqueueTrialRequest(study=self.name, params=to_params(params))).queue_length

    def add_trial(self, trial: FrozenTrial) -> None:
        self.add_trials([trial])

    def add_trials(self, trials: Sequence[FrozenTrial]) -> List[int]:
        """Imports finished trials (create_trial, or another study's); returns their new numbers."""
        messages = []
        for t in trials:
            frozen = t.to_proto()
            for name in list(frozen.distributions):
                if name in self._declared:
                    del frozen.distributions[name]
            messages.append(frozen)
        numbers: List[int] = []
        for start in range(0, len(messages), 10_000):
            numbers.extend(self._stub.AddTrials(svc.AddTrialsRequest(study=self.name, trials=messages[start:start + 10_000])).numbers)
        return numbers

    @property
    def best_trials(self) -> List[FrozenTrial]:
        return [self._frozen(t) for t in self._stub.GetBestTrials(svc.GetBestTrialsRequest(study=self.name)).trials]

    @property
    def best_trial(self) -> FrozenTrial:
        if len(self.message.directions) != 1:
            raise RuntimeError("best_trial: this study has several objectives; use best_trials")
        best = self.best_trials
        if not best:
            raise ValueError(f"best_trial: study '{self.name}' has no complete trial yet")
        return best[0]

    @property
    def best_params(self) -> Dict[str, Any]:
        return self.best_trial.params

    @property
    def best_value(self) -> float:
        return self.best_trial.values[0]

    @property
    def trials(self) -> List[FrozenTrial]:
        return self.get_trials()

    def get_trials(self, deepcopy: bool = True, states: Optional[Sequence[Union[str, TrialState]]] = None) -> List[FrozenTrial]:
        wanted = [TrialState.of(s, "states").to_proto() for s in states] if states is not None else []
        result, token = [], ""
        while True:
            page = self._stub.ListTrials(svc.ListTrialsRequest(study=self.name, states=wanted, page_token=token))
            result.extend(self._frozen(t) for t in page.trials)
            token = page.next_page_token
            if not token:
                return result

    def trials_dataframe(self, attrs: Sequence[str] = ("number", "value", "datetime_start", "datetime_complete", "duration", "params", "user_attrs", "state")):
        """The trials as a pandas DataFrame, with Optuna's columns (params_x, user_attrs_k, values_0 for several objectives)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("trials_dataframe needs pandas: apt-get install python3-pandas (or pip install pandas)") from None
        rows = []
        for t in self.trials:
            row: Dict[str, Any] = {}
            for attr in attrs:
                if attr == "params":
                    row.update({f"params_{k}": v for k, v in t.params.items()})
                elif attr == "user_attrs":
                    row.update({f"user_attrs_{k}": v for k, v in t.user_attrs.items()})
                elif attr == "value" and len(self.message.directions) > 1:
                    row.update({f"values_{i}": v for i, v in enumerate(t.values)})
                elif attr == "state":
                    row["state"] = t.state.name
                else:
                    row[attr] = getattr(t, attr)
            rows.append(row)
        return pandas.DataFrame(rows)

    def watch(self, cursor: str = "", timeout: Optional[float] = None) -> Iterator[Tuple[str, FrozenTrial]]:
        """Every trial change from a cursor (empty: a snapshot first), as (cursor, trial)."""
        for event in self._stub.WatchStudy(svc.WatchStudyRequest(study=self.name, cursor=cursor), timeout=timeout):
            yield event.cursor, self._frozen(event.trial)

    def _ask(self, count: int) -> List[Trial]:
        request = svc.AskRequest(study=self.name, worker_id=self._worker, count=count, request_id=uuid.uuid4().hex,
                                 lease_duration=duration_pb2.Duration(seconds=self._lease))
        trials = [Trial(self._stub, self, t, self._worker, self._lease) for t in self._stub.Ask(request).trials]
        for t in trials:
            self._running[t.number] = t
        return trials

    def _run(self, func: Objective, catch: Tuple[type, ...]) -> Optional[FrozenTrial]:
        """Runs one trial; None when the server has none left to start (a grid handed out, a PBT population complete)."""
        try:
            trial = self.ask()
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.OUT_OF_RANGE:
                return None
            raise
        try:
            result = func(trial)
        except TrialPruned as e:
            return self.tell(trial, state=TrialState.PRUNED, reason=str(e)[:1024])
        except BaseException as e:
            frozen = self.tell(trial, state=TrialState.FAIL, reason=repr(e)[:1024])
            if isinstance(e, Exception) and catch and isinstance(e, catch):
                return frozen
            raise
        values = [result] if isinstance(result, (int, float)) else list(result) if isinstance(result, (list, tuple)) else None
        if values is None or len(values) != len(self.message.directions) or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
            return self.tell(trial, state=TrialState.FAIL, reason=f"the objective returned {result!r}, not one finite number per objective")
        return self.tell(trial, [float(v) for v in values])

    def _frozen(self, message) -> FrozenTrial:
        return FrozenTrial(message, self._declared)
