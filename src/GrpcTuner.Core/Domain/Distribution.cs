namespace GrpcTuner.Core.Domain;

/// <summary>
/// Where a parameter's values come from. Samplers work in an internal real-valued coordinate:
/// the value itself for numbers (its log with <c>Log</c>), the choice index for categoricals.
/// </summary>
public abstract record Distribution
{
    /// <summary>Whether <paramref name="value"/> is one this distribution can produce.</summary>
    public abstract bool Contains(ParamValue value);

    /// <summary>The internal coordinate of a contained value.</summary>
    public abstract double ToInternal(ParamValue value);

    /// <summary>The nearest contained value to an internal coordinate.</summary>
    public abstract ParamValue FromInternal(double x);

    /// <summary>Bounds of the internal coordinate; for categoricals [0, choices - 1].</summary>
    public abstract (double Low, double High) InternalBounds { get; }

    /// <summary>Spacing of the internal coordinate, or 0 when continuous.</summary>
    public abstract double InternalStep { get; }
}

/// <summary>A float in [Low, High], optionally on a log scale or on a step grid.</summary>
public sealed record FloatDistribution(double Low, double High, bool Log = false, double? Step = null) : Distribution
{
    public override bool Contains(ParamValue value)
    {
        if (value.Kind != ParamKind.Float)
        {
            return false;
        }

        var v = value.AsFloat;
        if (!double.IsFinite(v) || v < Low || v > High)
        {
            return false;
        }

        if (Step is not { } step)
        {
            return true;
        }

        var k = (v - Low) / step;
        return Math.Abs(k - Math.Round(k)) <= 1e-8 * Math.Max(1, Math.Abs(k));
    }

    public override double ToInternal(ParamValue value) => Log ? Math.Log(value.AsFloat) : value.AsFloat;

    public override ParamValue FromInternal(double x)
    {
        var v = Log ? Math.Exp(x) : x;
        if (Step is { } step)
        {
            v = Low + (Math.Round((v - Low) / step) * step);
        }

        return ParamValue.Of(Math.Clamp(v, Low, High));
    }

    public override (double Low, double High) InternalBounds => Log ? (Math.Log(Low), Math.Log(High)) : (Low, High);

    public override double InternalStep => Step ?? 0;

    /// <summary>How many values a stepped float takes; null without a step.</summary>
    public long? Count => Step is { } step ? (long)Math.Round((High - Low) / step) + 1 : null;

    public override string ToString() =>
        $"float in [{ParamValue.Of(Low)}, {ParamValue.Of(High)}]{(Log ? " log" : "")}{(Step is { } s ? $" step {ParamValue.Of(s)}" : "")}";
}

/// <summary>An integer in [Low, High] on a step grid, optionally on a log scale.</summary>
public sealed record IntDistribution(long Low, long High, bool Log = false, long Step = 1) : Distribution
{
    public override bool Contains(ParamValue value) =>
        value.Kind == ParamKind.Int && value.AsInt >= Low && value.AsInt <= High && (value.AsInt - Low) % Step == 0;

    public override double ToInternal(ParamValue value) => Log ? Math.Log(value.AsInt) : value.AsInt;

    public override ParamValue FromInternal(double x)
    {
        var v = Log ? Math.Exp(x) : x;
        var k = Math.Round((v - Low) / Step);
        var snapped = Low + ((long)k * Step);
        return ParamValue.Of(Math.Clamp(snapped, Low, High));
    }

    public override (double Low, double High) InternalBounds => Log ? (Math.Log(Low), Math.Log(High)) : (Low, High);

    public override double InternalStep => Log ? 0 : Step;

    /// <summary>Number of values on the grid.</summary>
    public long Count => ((High - Low) / Step) + 1;

    public override string ToString() => $"int in [{Low}, {High}]{(Log ? " log" : "")}{(Step != 1 ? $" step {Step}" : "")}";
}

/// <summary>One of a fixed list of choices.</summary>
public sealed record CategoricalDistribution(IReadOnlyList<ParamValue> Choices) : Distribution
{
    public override bool Contains(ParamValue value) => IndexOf(value) >= 0;

    public int IndexOf(ParamValue value)
    {
        for (var i = 0; i < Choices.Count; i++)
        {
            if (Choices[i].Equals(value))
            {
                return i;
            }
        }

        return -1;
    }

    public override double ToInternal(ParamValue value) => IndexOf(value);

    public override ParamValue FromInternal(double x) => Choices[(int)Math.Clamp(Math.Round(x), 0, Choices.Count - 1)];

    public override (double Low, double High) InternalBounds => (0, Choices.Count - 1);

    public override double InternalStep => 1;

    public bool Equals(CategoricalDistribution? other) => other is not null && Choices.SequenceEqual(other.Choices);

    public override int GetHashCode() => Choices.Aggregate(0, (h, c) => HashCode.Combine(h, c));

    public override string ToString() => $"categorical of [{string.Join(", ", Choices)}]";
}
