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
