using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;

namespace GrpcTuner.Core.Schedulers;

/// <summary>
/// Population-Based Training (Jaderberg et al. 2017), asynchronous as Ray Tune runs it, and pure:
/// at a perturbation step, a trial ranked in the bottom quantile of the population (trials with a
/// report, by their latest value) exploits a top-quantile trial that has a checkpoint, chosen at
/// random, and explores from the donor's params: each parameter it may change (by default the
/// float ones) is redrawn with the resample probability, otherwise multiplied by a random
/// perturbation factor (numbers, kept in range) or moved to a neighbouring choice (categoricals);
/// the others keep the donor's values, which its checkpoint was trained with.
/// </summary>
public sealed class PbtScheduler(StudyDefinition study)
{
    private readonly PbtOptions _o = study.Pruner.Pbt ?? new PbtOptions();

    /// <summary>The donor and new params for a trial that just reported, or null to continue as it is.</summary>
    public (Trial Donor, IReadOnlyDictionary<string, ParamValue> Params)? Decide(Trial trial, IReadOnlyList<Trial> history)
    {
        if (trial.LastStep is not { } step || step < _o.BurnIn || (step - _o.BurnIn) % _o.PerturbationInterval != 0)
        {
            return null;
        }

        var sign = study.Directions[0] == Direction.Minimize ? 1.0 : -1.0;
        var population = history.Where(t => t.Number != trial.Number && t.State is TrialState.Running or TrialState.Complete && t.Intermediate.Count > 0)
            .Append(trial)
            .OrderBy(t => sign * Latest(t)).ThenBy(t => t.Number)
            .ToList();
        var quantile = (int)Math.Floor(population.Count * _o.QuantileFraction);
        if (quantile < 1 || population.IndexOf(trial) < population.Count - quantile)
        {
            return null;
        }

        var donors = population.Take(quantile).Where(t => t.Checkpoint.Length > 0).ToList();
        if (donors.Count == 0)
        {
            return null;
        }

        var rng = Rng.For(study.Sampler.Seed, "pbt", trial.Number, step);
        var donor = donors[(int)rng.NextLong(donors.Count)];
        return (donor, Explore(donor.Params, rng));
    }

    private Dictionary<string, ParamValue> Explore(IReadOnlyDictionary<string, ParamValue> parent, Rng rng)
    {
        var result = new Dictionary<string, ParamValue>(parent.Count, StringComparer.Ordinal);
        foreach (var spec in study.Space.Params)
        {
            if (!parent.TryGetValue(spec.Name, out var value))
            {
                continue;
            }

            if (!_o.Explores(spec))
            {
                result[spec.Name] = value;
                continue;
            }

            result[spec.Name] = rng.NextDouble() < _o.ResampleProbability
                ? IndependentSampling.Draw(spec.Distribution, rng)
                : Perturb(spec.Distribution, value, rng);
        }

        return result;
    }

    private ParamValue Perturb(Distribution distribution, ParamValue value, Rng rng)
    {
        var factor = _o.Factors[(int)rng.NextLong(_o.Factors.Count)];
        switch (distribution)
        {
            case CategoricalDistribution c:
                var index = c.IndexOf(value) + (rng.NextDouble() < 0.5 ? -1 : 1);
                return c.Choices[Math.Clamp(index, 0, c.Choices.Count - 1)];
            case IntDistribution i:
                var scaled = (long)Math.Round(value.AsInt * factor);
                var snapped = i.Low + ((long)Math.Round((double)(Math.Clamp(scaled, i.Low, i.High) - i.Low) / i.Step) * i.Step);
                return ParamValue.Of(Math.Clamp(snapped, i.Low, i.High));
            default:
                var f = (FloatDistribution)distribution;
                return f.FromInternal(f.ToInternal(ParamValue.Of(Math.Clamp(value.AsFloat * factor, f.Low, f.High))));
        }
    }

    private static double Latest(Trial t) => t.Intermediate[^1].Value;
}
