using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Validation;
using Wire = GrpcTuner.V1;

namespace GrpcTuner.Server.Mapping;

/// <summary>Trials, states and durations between the wire and the domain.</summary>
internal static class TrialMapper
{
    // A trial record never changes (a change makes a new one), so its message is made once for every
    // list that sends it; an entry goes when its record does.
    private static readonly ConditionalWeakTable<Trial, Wire.Trial> Sent = [];

    /// <summary>The trial's message, shared by every response that lists this record: not to be changed.</summary>
    public static Wire.Trial ToSharedProto(Trial t) => Sent.GetValue(t, ToProto);

    public static Wire.Trial ToProto(Trial t)
    {
        var p = new Wire.Trial
        {
            Number = t.Number,
            State = (Wire.TrialState)(int)t.State,
            WorkerId = t.WorkerId,
            Reason = t.Reason,
        };
        foreach (var (name, value) in t.Params)
        {
            p.Params[name] = ValueMapper.ToProto(value);
        }

        p.Values.AddRange(t.Values);
        p.IntermediateValues.AddRange(t.Intermediate.Select(iv => new Wire.IntermediateValue { Step = iv.Step, Value = iv.Value }));
        p.UserAttrs.Add(t.UserAttrs.ToDictionary());
        if (t.LeaseDeadline is { } ld)
        {
            p.LeaseDeadline = Timestamp.FromDateTimeOffset(ld);
        }

        if (t.StartTime is { } start)
        {
            p.StartTime = Timestamp.FromDateTimeOffset(start);
        }

        if (t.CompleteTime is { } end)
        {
            p.CompleteTime = Timestamp.FromDateTimeOffset(end);
        }

        if (t.RetriedFrom is { } r)
        {
            p.RetriedFrom = r;
        }

        p.Checkpoint = t.Checkpoint;
        foreach (var entry in t.Lineage)
        {
            var lineage = new Wire.LineageEntry { Step = entry.Step, Parent = entry.Parent, Checkpoint = entry.Checkpoint };
            foreach (var (name, value) in entry.OldParams)
            {
                lineage.OldParams[name] = ValueMapper.ToProto(value);
            }

            foreach (var (name, value) in entry.NewParams)
            {
                lineage.NewParams[name] = ValueMapper.ToProto(value);
            }

            p.Lineage.Add(lineage);
        }

        foreach (var (name, d) in t.Distributions)
        {
            p.Distributions[name] = SearchSpaceMapper.ToProto(d);
        }

        if (t.Compute is { } compute)
        {
            p.Compute = ToProto(compute);
        }

        foreach (var (name, proposal) in t.Proposals)
        {
            p.Proposals[name] = new Wire.Proposal
            {
                Value = ValueMapper.ToProto(proposal.Value),
                Distribution = proposal.Distribution is { } d ? SearchSpaceMapper.ToProto(d) : null,
            };
        }

        return p;
    }

    public static Wire.Compute ToProto(Compute c) => new()
    {
        WallSeconds = c.WallSeconds, CpuSeconds = c.CpuSeconds, DeviceKind = c.DeviceKind, DeviceCount = c.DeviceCount, Samples = c.Samples, Epochs = c.Epochs,
    };

    /// <summary>What a worker says a trial cost; null when it says nothing. Every number finite and >= 0.</summary>
    public static Compute? Compute(Wire.Compute? c, string field, Violations v)
    {
        if (c is null)
        {
            return null;
        }

        v.Check(double.IsFinite(c.WallSeconds) && c.WallSeconds >= 0, $"{field}.wall_seconds", $"must be finite and >= 0, got {c.WallSeconds}");
        v.Check(double.IsFinite(c.CpuSeconds) && c.CpuSeconds >= 0, $"{field}.cpu_seconds", $"must be finite and >= 0, got {c.CpuSeconds}");
        v.Check(c.DeviceKind.Length <= 32 && c.DeviceKind.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-'), $"{field}.device_kind",
            "must be letters, digits, '_' or '-', at most 32 characters");
        v.Check(c.DeviceCount is >= 0 and <= 1024, $"{field}.device_count", $"must be in [0, 1024], got {c.DeviceCount}");
        v.Check(c.Samples >= 0, $"{field}.samples", $"must be >= 0, got {c.Samples}");
        v.Check(c.Epochs >= 0, $"{field}.epochs", $"must be >= 0, got {c.Epochs}");
        return new Compute(c.WallSeconds, c.CpuSeconds, c.DeviceKind, c.DeviceCount, c.Samples, c.Epochs);
    }

    /// <summary>The proposals a worker says it took, each name with a valid distribution.</summary>
    public static IReadOnlyDictionary<string, Distribution> Suggested(Wire.SuggestedParams? suggested, Violations v)
    {
        if (suggested is null || suggested.Params.Count == 0)
        {
            return Trial.EmptyDistributions;
        }

        v.Check(suggested.Params.Count <= StudyValidator.MaxParams, "suggested.params", $"must name at most {StudyValidator.MaxParams} parameters, got {suggested.Params.Count}");
        return Distributions(suggested.Params, "suggested.params", v);
    }

    /// <summary>A finished state named on the wire; anything else is a violation.</summary>
    public static TrialState? FinishedState(Wire.TrialState state, string field, Violations v)
    {
        if (state is Wire.TrialState.Complete or Wire.TrialState.Pruned or Wire.TrialState.Fail)
        {
            return (TrialState)(int)state;
        }

        v.Add(field, $"must be TRIAL_STATE_COMPLETE, TRIAL_STATE_PRUNED or TRIAL_STATE_FAIL, got {Describe(state)}");
        return null;
    }

    public static TrialState? AnyState(Wire.TrialState state, string field, Violations v)
    {
        if (state is >= Wire.TrialState.Waiting and <= Wire.TrialState.Fail)
        {
            return (TrialState)(int)state;
        }

        v.Add(field, $"must be a TRIAL_STATE_ value other than UNSPECIFIED, got {Describe(state)}");
        return null;
    }

    public static Trial FrozenToDomain(Wire.FrozenTrial f, string field, Violations v) => new()
    {
        Number = 0,
        Params = ValueMapper.ToDomain(f.Params, $"{field}.params", v),
        State = FinishedState(f.State, $"{field}.state", v) ?? TrialState.Fail,
        Values = f.Values.ToArray(),
        Intermediate = IntermediateSeries.With([], f.IntermediateValues.Select(iv => new IntermediateValue(iv.Step, iv.Value))),
        UserAttrs = new Dictionary<string, string>(f.UserAttrs),
        CompleteTime = DateTimeOffset.UtcNow,
        Distributions = Distributions(f.Distributions, $"{field}.distributions", v),
    };

    private static Dictionary<string, Distribution> Distributions(IDictionary<string, Wire.Distribution> wire, string field, Violations v)
    {
        var result = new Dictionary<string, Distribution>(wire.Count, StringComparer.Ordinal);
        foreach (var (name, d) in wire)
        {
            var at = $"{field}[{name}]";
            if (v.Check(Names.IsValid(name), at, Names.Rule) && SearchSpaceMapper.ToDomain(d, at, v) is { } distribution && StudyValidator.ValidateDistribution(distribution, at, v))
            {
                result[name] = distribution;
            }
        }

        return result;
    }

    /// <summary>A lease length: unset gives <paramref name="fallback"/>; otherwise 1 s to 24 h.</summary>
    public static TimeSpan? Lease(Duration? d, TimeSpan? fallback, string field, Violations v)
    {
        if (d is null)
        {
            return fallback;
        }

        if (d.Seconds < 0 || d.Nanos < 0 || d.Nanos >= 1_000_000_000 || d.Seconds > 86_400)
        {
            v.Add(field, $"must be between 1 s and 24 h, got {d.Seconds} s {d.Nanos} ns");
            return null;
        }

        var span = d.ToTimeSpan();
        return v.Check(span >= TimeSpan.FromSeconds(1) && span <= TimeSpan.FromHours(24), field, $"must be between 1 s and 24 h, got {span.TotalSeconds} s") ? span : null;
    }

    private static string Describe(Wire.TrialState state) =>
        System.Enum.IsDefined(state) ? state.ToString() : $"unknown value {(int)state}";
}
