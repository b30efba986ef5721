"""Search-space declarations and typed values, converted to and from the wire messages. Float, Int and
Categorical take Optuna's arguments in Optuna's order, so they are also grpctuner.distributions'
FloatDistribution, IntDistribution and CategoricalDistribution."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from .v1 import search_space_pb2 as ss


@dataclass
class Float:
    low: float
    high: float
    log: bool = False
    step: Optional[float] = None
    parent: Optional[str] = None
    when: Sequence[Any] = field(default_factory=list)

    def to_proto(self, name: str) -> ss.ParamSpec:
        spec = ss.ParamSpec(name=name, float=self.to_distribution().float)
        return _condition(spec, self.parent, self.when)

    def to_distribution(self) -> ss.Distribution:
        d = ss.Distribution(float=ss.FloatDistribution(low=float(self.low), high=float(self.high), log=self.log))
        if self.step is not None:
            d.float.step = float(self.step)
        return d


@dataclass
class Int:
    low: int
    high: int
    log: bool = False
    step: int = 1
    parent: Optional[str] = None
    when: Sequence[Any] = field(default_factory=list)

    def to_proto(self, name: str) -> ss.ParamSpec:
        spec = ss.ParamSpec(name=name, int=self.to_distribution().int)
        return _condition(spec, self.parent, self.when)

    def to_distribution(self) -> ss.Distribution:
        return ss.Distribution(int=ss.IntDistribution(low=int(self.low), high=int(self.high), log=self.log, step=int(self.step)))


@dataclass
class Categorical:
    choices: Sequence[Any]
    parent: Optional[str] = None
    when: Sequence[Any] = field(default_factory=list)

    def to_proto(self, name: str) -> ss.ParamSpec:
        spec = ss.ParamSpec(name=name, categorical=self.to_distribution().categorical)
        return _condition(spec, self.parent, self.when)

    def to_distribution(self) -> ss.Distribution:
        return ss.Distribution(categorical=ss.CategoricalDistribution(choices=[to_value(c) for c in self.choices]))


def _condition(spec: ss.ParamSpec, parent: Optional[str], when: Sequence[Any]) -> ss.ParamSpec:
    if parent is not None:
        spec.condition.parent = parent
        spec.condition.values.extend(to_value(v) for v in when)
    return spec


def to_value(v: Any) -> ss.ParamValue:
    """A Python value as a typed ParamValue; bool before int, since bool is an int in Python."""
    if isinstance(v, bool):
        return ss.ParamValue(bool_value=v)
    if isinstance(v, int):
        return ss.ParamValue(int_value=v)
    if isinstance(v, float):
        return ss.ParamValue(float_value=v)
    if isinstance(v, str):
        return ss.ParamValue(string_value=v)
    raise TypeError(f"parameter values are float, int, str or bool, got {type(v).__name__} {v!r}")


def from_distribution(d: ss.Distribution):
    """The Float, Int or Categorical a wire distribution describes."""
    kind = d.WhichOneof("kind")
    if kind == "float":
        return Float(d.float.low, d.float.high, log=d.float.log, step=d.float.step if d.float.HasField("step") else None)
    if kind == "int":
        return Int(d.int.low, d.int.high, log=d.int.log, step=d.int.step or 1)
    return Categorical([from_value(c) for c in d.categorical.choices])


def from_spec(spec: ss.ParamSpec):
    """The distribution a declared parameter has, without its condition."""
    return from_distribution(ss.Distribution(**{spec.WhichOneof("distribution"): getattr(spec, spec.WhichOneof("distribution"))}))


def from_value(v: ss.ParamValue) -> Any:
    return getattr(v, v.WhichOneof("kind"))


def to_params(params: Dict[str, Any]) -> Dict[str, ss.ParamValue]:
    return {k: to_value(v) for k, v in params.items()}


def from_params(params) -> Dict[str, Any]:
    return {k: from_value(v) for k, v in params.items()}


def space_to_proto(space: Dict[str, Any]) -> ss.SearchSpace:
    return ss.SearchSpace(params=[d.to_proto(name) for name, d in space.items()])
