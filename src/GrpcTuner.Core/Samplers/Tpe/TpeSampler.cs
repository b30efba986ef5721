using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// Tree-structured Parzen Estimator (Bergstra et al. 2011; Optuna's variant): model the good and
/// the other trials with Parzen estimators l and g, draw candidates from l and keep the one with
/// the largest l(x) / g(x). Multivariate mode models the unconditional parameters jointly. Two
/// additions to Optuna's, both measured by the quality benchmark (Tpe/README.md): a periodic step
/// from the best trial (<see cref="IncumbentStep"/>), and no repeats on spaces where they are exact
/// (<see cref="TriedConfigurations"/>).
/// </summary>
public sealed class TpeSampler(StudyDefinition study) : ISampler
{
    private readonly TpeOptions _options = study.Sampler.TpeOrDefault;

    public IReadOnlyDictionary<string, ParamValue> Sample(IReadOnlyList<Trial> history, Rng rng, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var space = study.Space;
        var finished = history.Count(t => t.State is TrialState.Complete or TrialState.Pruned);
        if (finished < _options.NStartupTrials)
        {
            return IndependentSampling.DrawAll(space, rng);
        }

        var (below, above, best) = ObservationSplit.Split(history, study.Directions, _options.ConstantLiar);
        var tried = TriedConfigurations.Of(space, history);
        var incumbent = IncumbentStep.For(_options.Multivariate);
        if (best is not null && incumbent.IsDue(finished - _options.NStartupTrials))
        {
            var step = incumbent.From(best, space, rng);
            if (tried is null || !tried.Contains(step))
            {
                return step;
            }
        }

        var chosen = new Dictionary<string, ParamValue>(space.Params.Count, StringComparer.Ordinal);
        if (_options.Multivariate)
        {
            var joint = space.Params.Where(p => p.Condition is null).ToList();
            if (joint.Count > 0)
            {
                var (candidates, scores) = Score(joint, below, above, rng, multivariate: true);
                var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToList();
                var pick = order[0];
                if (tried is not null && joint.Count == space.Params.Count)
                {
                    pick = order.FirstOrDefault(i => !tried.Contains(Decode(joint, candidates[i])), -1);
                    if (pick < 0)
                    {
                        return tried.RandomUntried(space, rng) ?? Decode(joint, candidates[order[0]]);
                    }
                }

                foreach (var (name, value) in Decode(joint, candidates[pick]))
                {
                    chosen[name] = value;
                }
            }
        }

        var ranked = new List<(string Name, ParamValue[] Values, double[] Scores)>();
        foreach (var spec in space.Params)
        {
            if (!chosen.ContainsKey(spec.Name) && SearchSpace.IsActive(spec, chosen))
            {
                ct.ThrowIfCancellationRequested();
                var (candidates, scores) = Score([spec], below, above, rng, multivariate: false);
                var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
                var values = order.Select(i => spec.Distribution.FromInternal(candidates[i][0])).ToArray();
                chosen[spec.Name] = values[0];
                ranked.Add((spec.Name, values, order.Select(i => scores[i]).ToArray()));
            }
        }

        // With conditions a changed parent would change which children exist: only unconditional spaces walk.
        if (tried is not null && tried.Contains(chosen) && !space.HasConditions)
        {
            return tried.BestUntried(chosen, ranked) ?? tried.RandomUntried(space, rng) ?? chosen;
        }

        return chosen;
    }

    /// <summary>Candidates drawn from l with their log l(x) - log g(x).</summary>
    private (double[][] Candidates, double[] Scores) Score(IReadOnlyList<ParamSpec> specs, List<Trial> below, List<Trial> above, Rng rng, bool multivariate)
    {
        var distributions = specs.Select(s => s.Distribution).ToArray();
        var l = new ParzenEstimator(distributions, Observations(specs, below), _options.PriorWeight, multivariate);
        var g = new ParzenEstimator(distributions, Observations(specs, above), _options.PriorWeight, multivariate);
        var candidates = l.Sample(rng, _options.NEiCandidates);
        var logL = l.LogPdf(candidates);
        var logG = g.LogPdf(candidates);
        return (candidates, logL.Select((v, i) => v - logG[i]).ToArray());
    }

    private static Dictionary<string, ParamValue> Decode(IReadOnlyList<ParamSpec> specs, double[] x) =>
        Enumerable.Range(0, specs.Count).ToDictionary(d => specs[d].Name, d => specs[d].Distribution.FromInternal(x[d]), StringComparer.Ordinal);

    /// <summary>Internal coordinates of the trials that have every one of the parameters.</summary>
    private static List<double[]> Observations(IReadOnlyList<ParamSpec> specs, IReadOnlyList<Trial> trials)
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
