using GrpcTuner.V1;

namespace GrpcTuner.Cli.Commands;

/// <summary>
/// The parameters a study's tables, exports and report show: the declared ones, then those its
/// define-by-run trials were suggested, in name order. A name suggested with several ranges (a range
/// that depends on an earlier value) shows as one that covers them all; with distributions of
/// different kinds, as a categorical of the values seen.
/// </summary>
internal static class StudyParams
{
    public static IReadOnlyList<ParamSpec> Of(Study study, IReadOnlyList<Trial> trials)
    {
        var declared = study.SearchSpace?.Params ?? [];
        var names = declared.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var suggested = new SortedDictionary<string, ParamSpec>(StringComparer.Ordinal);
        foreach (var t in trials)
        {
            foreach (var (name, d) in t.Distributions)
            {
                if (!names.Contains(name))
                {
                    suggested[name] = suggested.TryGetValue(name, out var seen) ? Cover(seen, d, trials) : Spec(name, d);
                }
            }
        }

        return [.. declared, .. suggested.Values];
    }

    private static ParamSpec Spec(string name, Distribution d) => d.KindCase switch
    {
        Distribution.KindOneofCase.Float => new ParamSpec { Name = name, Float = d.Float.Clone() },
        Distribution.KindOneofCase.Int => new ParamSpec { Name = name, Int = d.Int.Clone() },
        _ => new ParamSpec { Name = name, Categorical = d.Categorical.Clone() },
    };

    private static ParamSpec Cover(ParamSpec seen, Distribution d, IReadOnlyList<Trial> trials)
    {
        switch (seen.DistributionCase)
        {
            case ParamSpec.DistributionOneofCase.Float when d.KindCase == Distribution.KindOneofCase.Float:
                seen.Float.Low = Math.Min(seen.Float.Low, d.Float.Low);
                seen.Float.High = Math.Max(seen.Float.High, d.Float.High);
                return seen;
            case ParamSpec.DistributionOneofCase.Int when d.KindCase == Distribution.KindOneofCase.Int:
                seen.Int.Low = Math.Min(seen.Int.Low, d.Int.Low);
                seen.Int.High = Math.Max(seen.Int.High, d.Int.High);
                seen.Int.Step = seen.Int.Step == d.Int.Step ? seen.Int.Step : 1;
                return seen;
            case ParamSpec.DistributionOneofCase.Categorical when d.KindCase == Distribution.KindOneofCase.Categorical:
                seen.Categorical.Choices.AddRange(d.Categorical.Choices.Where(c => !seen.Categorical.Choices.Contains(c)).ToList());
                return seen;
            default:
                var values = trials.Where(t => t.Params.ContainsKey(seen.Name)).Select(t => t.Params[seen.Name]).Distinct().ToList();
                return new ParamSpec { Name = seen.Name, Categorical = new CategoricalDistribution { Choices = { values } } };
        }
    }
}
