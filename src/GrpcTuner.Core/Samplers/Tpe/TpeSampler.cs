using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// Tree-structured Parzen Estimator (Bergstra et al. 2011; Optuna's variant): model the good and
/// the other trials with Parzen estimators l and g, draw candidates from l and keep the one with
/// the largest l(x) / g(x). Multivariate mode models the unconditional parameters jointly.
/// </summary>
public sealed class TpeSampler(StudyDefinition study) : ISampler
{
    private readonly TpeOptions _options = study.Sampler.TpeOrDefault;

    public IReadOnlyDictionary<string, ParamValue> Sample(IReadOnlyList<Trial> history, Rng rng)
    {
        var space = study.Space;
        var finished = history.Count(t => t.State is TrialState.Complete or TrialState.Pruned);
        if (finished < _options.NStartupTrials)
        {
            return IndependentSampling.DrawAll(space, rng);
        }

        var (below, above) = ObservationSplit.Split(history, study.Directions, _options.ConstantLiar);
        var chosen = new Dictionary<string, ParamValue>(space.Params.Count, StringComparer.Ordinal);
        if (_options.Multivariate)
        {
            var joint = space.Params.Where(p => p.Condition is null).ToList();
            if (joint.Count > 0)
            {
                var best = SampleBest(joint, below, above, rng, multivariate: true);
                for (var d = 0; d < joint.Count; d++)
                {
                    chosen[joint[d].Name] = joint[d].Distribution.FromInternal(best[d]);
                }
            }
        }

        foreach (var spec in space.Params)
        {
            if (!chosen.ContainsKey(spec.Name) && SearchSpace.IsActive(spec, chosen))
            {
                chosen[spec.Name] = spec.Distribution.FromInternal(SampleBest([spec], below, above, rng, multivariate: false)[0]);
            }
        }

        return chosen;
    }

    private double[] SampleBest(IReadOnlyList<ParamSpec> specs, List<Trial> below, List<Trial> above, Rng rng, bool multivariate)
    {
        var distributions = specs.Select(s => s.Distribution).ToArray();
        var l = new ParzenEstimator(distributions, Observations(specs, below), _options.PriorWeight, multivariate);
        var g = new ParzenEstimator(distributions, Observations(specs, above), _options.PriorWeight, multivariate);
        var candidates = l.Sample(rng, _options.NEiCandidates);
        var logL = l.LogPdf(candidates);
        var logG = g.LogPdf(candidates);
        var best = 0;
        for (var i = 1; i < candidates.Length; i++)
        {
            if (logL[i] - logG[i] > logL[best] - logG[best])
            {
                best = i;
            }
        }

        return candidates[best];
    }

    /// <summary>Internal coordinates of the trials that have every one of the parameters.</summary>
    private static List<double[]> Observations(IReadOnlyList<ParamSpec> specs, List<Trial> trials)
    {
        var rows = new List<double[]>(trials.Count);
        foreach (var t in trials)
        {
            var row = new double[specs.Count];
            var complete = true;
            for (var d = 0; d < specs.Count && complete; d++)
            {
                if (t.Params.TryGetValue(specs[d].Name, out var v) && specs[d].Distribution.Contains(v))
                {
                    row[d] = specs[d].Distribution.ToInternal(v);
                }
                else
                {
                    complete = false;
                }
            }

            if (complete)
            {
                rows.Add(row);
            }
        }

        return rows;
    }
}
