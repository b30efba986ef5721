using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Validation;
using Wire = GrpcTuner.V1;

namespace GrpcTuner.Server.Mapping;

/// <summary>
/// Search spaces between the wire and the domain. Only what the domain cannot represent is checked
/// here (an unset oneof); the rules on values are Core's <see cref="StudyValidator"/>.
/// </summary>
internal static class SearchSpaceMapper
{
    public static SearchSpace ToDomain(Wire.SearchSpace? space, Violations v)
    {
        var specs = new List<ParamSpec>();
        if (space is null)
        {
            // Define-by-run: every parameter comes from Suggest.
            return new SearchSpace(specs);
        }

        for (var i = 0; i < space.Params.Count; i++)
        {
            var p = space.Params[i];
            var field = $"search_space.params[{i}]";
            var distribution = ToDomain(p.Float, p.Int, p.Categorical, field, v);
            if (distribution is null)
            {
                v.Add(field, "must set one of float, int or categorical");
                continue;
            }

            var condition = p.Condition is { } c ? new Condition(c.Parent, ValueMapper.ToDomain(c.Values, $"{field}.condition.values", v)) : null;
            specs.Add(new ParamSpec(p.Name, distribution, condition));
        }

        return new SearchSpace(specs);
    }

    /// <summary>A define-by-run distribution; null (with a violation on <paramref name="field"/>) when none is set.</summary>
    public static Distribution? ToDomain(Wire.Distribution? d, string field, Violations v)
    {
        if (d is null)
        {
            v.Add(field, "is required: set one of float, int or categorical");
            return null;
        }

        var distribution = ToDomain(d.Float, d.Int, d.Categorical, field, v);
        if (distribution is null)
        {
            v.Add(field, "must set one of float, int or categorical");
        }

        return distribution;
    }

    public static Wire.Distribution ToProto(Distribution d)
    {
        var result = new Wire.Distribution();
        switch (d)
        {
            case FloatDistribution f:
                result.Float = ToProto(f);
                break;
            case IntDistribution n:
                result.Int = ToProto(n);
                break;
            case CategoricalDistribution c:
                result.Categorical = ToProto(c);
                break;
        }

        return result;
    }

    public static Wire.SearchSpace ToProto(SearchSpace space)
    {
        var result = new Wire.SearchSpace();
        foreach (var p in space.Params)
        {
            var spec = new Wire.ParamSpec { Name = p.Name };
            switch (p.Distribution)
            {
                case FloatDistribution f:
                    spec.Float = ToProto(f);
                    break;
                case IntDistribution n:
                    spec.Int = ToProto(n);
                    break;
                case CategoricalDistribution c:
                    spec.Categorical = ToProto(c);
                    break;
            }

            if (p.Condition is { } cond)
            {
                spec.Condition = new Wire.Condition { Parent = cond.Parent };
                spec.Condition.Values.AddRange(cond.Values.Select(ValueMapper.ToProto));
            }

            result.Params.Add(spec);
        }

        return result;
    }

    /// <summary>The one distribution a oneof holds (the others are null), or null when none is set.</summary>
    private static Distribution? ToDomain(Wire.FloatDistribution? f, Wire.IntDistribution? n, Wire.CategoricalDistribution? c, string field, Violations v) =>
        f is not null ? new FloatDistribution(f.Low, f.High, f.Log, f.HasStep ? f.Step : null)
        : n is not null ? new IntDistribution(n.Low, n.High, n.Log, n.Step == 0 ? 1 : n.Step)
        : c is not null ? new CategoricalDistribution(ValueMapper.ToDomain(c.Choices, $"{field}.categorical.choices", v))
        : null;

    private static Wire.FloatDistribution ToProto(FloatDistribution f)
    {
        var wire = new Wire.FloatDistribution { Low = f.Low, High = f.High, Log = f.Log };
        if (f.Step is { } step)
        {
            wire.Step = step;
        }

        return wire;
    }

    private static Wire.IntDistribution ToProto(IntDistribution n) => new() { Low = n.Low, High = n.High, Log = n.Log, Step = n.Step };

    private static Wire.CategoricalDistribution ToProto(CategoricalDistribution c)
    {
        var wire = new Wire.CategoricalDistribution();
        wire.Choices.AddRange(c.Choices.Select(ValueMapper.ToProto));
        return wire;
    }
}
