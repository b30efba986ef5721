using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Validation;

/// <summary>Checks params and objective values sent for a trial against the study.</summary>
public static class TrialValidator
{
    /// <summary>Every active parameter present and inside its distribution, nothing else.</summary>
    public static void ValidateParams(SearchSpace space, IReadOnlyDictionary<string, ParamValue> values, string field, Violations v)
    {
        foreach (var (name, value) in values)
        {
            var spec = space.Find(name);
            if (!v.Check(spec is not null, $"{field}[{name}]", "is not a parameter of the study"))
            {
                continue;
            }

            if (!v.Check(spec!.Distribution.Contains(value), $"{field}[{name}]", $"{value} ({value.Kind}) is outside the parameter's distribution"))
            {
                continue;
            }

            v.Check(SearchSpace.IsActive(spec, values), $"{field}[{name}]", $"is conditional on '{spec.Condition?.Parent}', whose value does not enable it");
        }

        foreach (var spec in space.Params)
        {
            if (!values.ContainsKey(spec.Name) && SearchSpace.IsActive(spec, values))
            {
                v.Add($"{field}[{spec.Name}]", "is missing: every active parameter must be given");
            }
        }
    }

    /// <summary>A trial's define-by-run parameters: outside the space, each with a valid distribution that contains its value.</summary>
    public static void ValidateDefineByRun(SearchSpace space, Trial trial, string field, Violations v)
    {
        foreach (var (name, distribution) in trial.Distributions)
        {
            var at = $"{field}.distributions[{name}]";
            if (!v.Check(Names.IsValid(name), at, Names.Rule) || !v.Check(space.Find(name) is null, at, "is a parameter of the search space; its distribution is the declared one"))
            {
                continue;
            }

            if (!trial.Params.TryGetValue(name, out var value))
            {
                v.Add($"{field}.params[{name}]", "is missing: a distribution was given for it");
            }
            else if (StudyValidator.ValidateDistribution(distribution, at, v))
            {
                v.Check(distribution.Contains(value), $"{field}.params[{name}]", $"{value} ({value.Kind}) is outside its distribution {distribution}");
            }
        }
    }

    /// <summary>One finite value per direction.</summary>
    public static void ValidateValues(IReadOnlyList<Direction> directions, IReadOnlyList<double> values, string field, Violations v)
    {
        if (!v.Check(values.Count == directions.Count, field, $"must have {directions.Count} value(s), one per objective, got {values.Count}"))
        {
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            v.Check(double.IsFinite(values[i]), $"{field}[{i}]", $"must be finite, got {values[i]}");
        }
    }
}
