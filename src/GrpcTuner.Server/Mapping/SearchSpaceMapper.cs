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
            v.Add("search_space", "is required");
            return new SearchSpace(specs);
        }

        for (var i = 0; i < space.Params.Count; i++)
        {
            var p = space.Params[i];
            var field = $"search_space.params[{i}]";
            Distribution? distribution = p.DistributionCase switch
            {
                Wire.ParamSpec.DistributionOneofCase.Float => new FloatDistribution(p.Float.Low, p.Float.High, p.Float.Log, p.Float.HasStep ? p.Float.Step : null),
                Wire.ParamSpec.DistributionOneofCase.Int => new IntDistribution(p.Int.Low, p.Int.High, p.Int.Log, p.Int.Step == 0 ? 1 : p.Int.Step),
                Wire.ParamSpec.DistributionOneofCase.Categorical => new CategoricalDistribution(ValueMapper.ToDomain(p.Categorical.Choices, $"{field}.categorical.choices", v)),
                _ => null,
            };
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

    public static Wire.SearchSpace ToProto(SearchSpace space)
    {
        var result = new Wire.SearchSpace();
        foreach (var p in space.Params)
        {
            var spec = new Wire.ParamSpec { Name = p.Name };
            switch (p.Distribution)
            {
                case FloatDistribution f:
                    spec.Float = new Wire.FloatDistribution { Low = f.Low, High = f.High, Log = f.Log };
                    if (f.Step is { } step)
                    {
                        spec.Float.Step = step;
                    }

                    break;
                case IntDistribution n:
                    spec.Int = new Wire.IntDistribution { Low = n.Low, High = n.High, Log = n.Log, Step = n.Step };
                    break;
                case CategoricalDistribution c:
                    spec.Categorical = new Wire.CategoricalDistribution();
                    spec.Categorical.Choices.AddRange(c.Choices.Select(ValueMapper.ToProto));
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
}
