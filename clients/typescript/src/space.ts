// Search-space declarations and typed values, converted to and from the wire messages.
import { Distribution as WireDistribution, ParamSpec, ParamValue, SearchSpace } from "./gen/grpctuner/v1/search_space";

/**
 * A parameter value as the user sees it. Int parameters come back as numbers, or as bigints
 * beyond Number.MAX_SAFE_INTEGER, since int64 travels exactly.
 */
export type Value = number | bigint | string | boolean;
export type Params = Record<string, Value>;

/** Makes a parameter exist only while its parent takes one of `when`. */
export interface Conditional {
  parent?: string;
  when?: Value[];
}

export interface FloatOptions extends Conditional {
  log?: boolean;
  step?: number;
}

export interface IntOptions extends Conditional {
  log?: boolean;
  step?: number | bigint;
}

/** One parameter's distribution, declared in a space or suggested by an objective; build it with float(), int() or categorical(). */
export interface Distribution {
  toProto(name: string): ParamSpec;
  toDistribution(): WireDistribution;
}

function distribution(kind: NonNullable<ParamSpec["distribution"]>, options: Conditional): Distribution {
  return {
    toProto: (name) => withCondition({ name, distribution: kind }, options),
    toDistribution: () => ({ kind }),
  };
}

export function float(low: number, high: number, options: FloatOptions = {}): Distribution {
  return distribution({ $case: "float", value: { low, high, log: options.log ?? false, step: options.step } }, options);
}

export function int(low: number | bigint, high: number | bigint, options: IntOptions = {}): Distribution {
  return distribution({ $case: "int", value: { low: BigInt(low), high: BigInt(high), log: options.log ?? false, step: BigInt(options.step ?? 1) } }, options);
}

/** Choices keep their type: a number choice travels as a float unless it is a whole number. */
export function categorical(choices: Value[], options: Conditional = {}): Distribution {
  return distribution({ $case: "categorical", value: { choices: choices.map(toValue) } }, options);
}

/** Whether two wire distributions are the same (the server's proposals name theirs). */
export function sameDistribution(a: WireDistribution | undefined, b: WireDistribution): boolean {
  return a !== undefined && Buffer.compare(WireDistribution.encode(a).finish(), WireDistribution.encode(b).finish()) === 0;
}

function withCondition(spec: ParamSpec, options: Conditional): ParamSpec {
  if (options.parent !== undefined) {
    spec.condition = { parent: options.parent, values: (options.when ?? []).map(toValue) };
  }
  return spec;
}

export function toValue(v: Value): ParamValue {
  switch (typeof v) {
    case "boolean":
      return { kind: { $case: "boolValue", value: v } };
    case "string":
      return { kind: { $case: "stringValue", value: v } };
    case "bigint":
      return { kind: { $case: "intValue", value: v } };
    default:
      return { kind: Number.isInteger(v) ? { $case: "intValue", value: BigInt(v) } : { $case: "floatValue", value: v } };
  }
}

export function fromValue(v: ParamValue): Value {
  if (v.kind === undefined) {
    throw new Error("a parameter value without a kind");
  }
  return v.kind.$case === "intValue" ? safeNumber(v.kind.value) : v.kind.value;
}

/** A bigint as a number where that is exact, else as it is. */
export function safeNumber(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Params as the study's space types them: JavaScript has one number type, so 2 for a float
 * parameter must travel as a float and a categorical choice as the choice itself. A name the space
 * lacks goes as it is, for the server to reject by name.
 */
export function toParams(params: Params, space: SearchSpace | undefined): Record<string, ParamValue> {
  const specs = new Map((space?.params ?? []).map((p) => [p.name, p]));
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typed(v, specs.get(k))]));
}

function typed(v: Value, spec: ParamSpec | undefined): ParamValue {
  const d = spec?.distribution;
  if (typeof v === "number" && d?.$case === "float") {
    return { kind: { $case: "floatValue", value: v } };
  }
  if (d?.$case === "categorical") {
    return d.value.choices.find((c) => c.kind !== undefined && fromValue(c) === v) ?? toValue(v);
  }
  return toValue(v);
}

export function fromParams(params: Record<string, ParamValue>): Params {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, fromValue(v)]));
}

export function spaceToProto(space: Record<string, Distribution>): SearchSpace {
  return { params: Object.entries(space).map(([name, d]) => d.toProto(name)) };
}
