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
public sealed class TpeSampler : ISampler
{
    private readonly StudyDefinition _study;
    private readonly TpeOptions _options;

    /// <summary>The parameters modelled jointly: the unconditional ones in multivariate mode, else none.</summary>
    private readonly int[] _joint;

    /// <summary>Guards <see cref="_columns"/>, which each Ask brings up to its history before copying out what it needs.</summary>
    private readonly Lock _gate = new();
    private readonly TrialColumns _columns;

    public TpeSampler(StudyDefinition study)
    {
        _study = study;
        _options = study.Sampler.TpeOrDefault;
        _joint = _options.Multivariate ? Enumerable.Range(0, study.Space.Params.Count).Where(d => study.Space.Params[d].Condition is null).ToArray() : [];
        _columns = new TrialColumns(study.Space, new SplitRule(study.Directions, _options.ConstantLiar));
    }

    public IReadOnlyDictionary<string, ParamValue> Sample(IReadOnlyList<Trial> history, Rng rng, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var space = _study.Space;
        SplitObservations observations;
        lock (_gate)
        {
            _columns.Sync(history);
            observations = SplitObservations.Read(_columns, _study.Directions, _joint, _options.NStartupTrials);
        }

        if (observations.Finished < _options.NStartupTrials)
        {
            return IndependentSampling.DrawAll(space, rng);
        }

        var tried = TriedConfigurations.Of(space, history);
        var incumbent = IncumbentStep.For(_options.Multivariate);
        if (observations.Best is { } best && incumbent.IsDue(observations.Finished - _options.NStartupTrials))
        {
            var step = incumbent.From(best, space, rng);
            if (tried is null || !tried.Contains(step))
            {
                return step;
            }
        }

        var chosen = new Dictionary<string, ParamValue>(space.Params.Count, StringComparer.Ordinal);
        if (observations.Joint is { } joint)
        {
            var distributions = Array.ConvertAll(_joint, d => space.Params[d].Distribution);
            var (candidates, scores) = Score(side => new MultivariateParzenEstimator(distributions, side, _options.PriorWeight), joint, rng);
            var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToList();
            var pick = order[0];
            if (tried is not null && _joint.Length == space.Params.Count)
            {
                pick = order.FirstOrDefault(i => !tried.Contains(Decode(space, _joint, candidates[i])), -1);
                if (pick < 0)
                {
                    return tried.RandomUntried(space, rng) ?? Decode(space, _joint, candidates[order[0]]);
                }
            }

            foreach (var (name, value) in Decode(space, _joint, candidates[pick]))
            {
                chosen[name] = value;
            }
        }

        var ranked = new List<(string Name, ParamValue[] Values, double[] Scores)>();
        for (var d = 0; d < space.Params.Count; d++)
        {
            var spec = space.Params[d];
            if (!chosen.ContainsKey(spec.Name) && SearchSpace.IsActive(spec, chosen))
            {
                ct.ThrowIfCancellationRequested();
                var (candidates, scores) = Score(
                    side => new UnivariateParzenEstimator(spec.Distribution, side, _options.PriorWeight), observations.Alone[d]!, rng);
                var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
                var values = order.Select(i => spec.Distribution.FromInternal(candidates[i])).ToArray();
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

    /// <summary>Candidates drawn from l, with their log l(x) - log g(x).</summary>
    private (TPoint[] Candidates, double[] Scores) Score<TObservations, TPoint>(Func<TObservations, IParzenEstimator<TPoint>> estimatorOf, SplitObservations.Side<TObservations> side, Rng rng)
    {
        var l = estimatorOf(side.Below);
        var g = estimatorOf(side.Above);
        var candidates = l.Sample(rng, _options.NEiCandidates);
        var logL = l.LogPdf(candidates);
        var logG = g.LogPdf(candidates);
        return (candidates, logL.Select((v, i) => v - logG[i]).ToArray());
    }

    private static Dictionary<string, ParamValue> Decode(SearchSpace space, int[] dims, double[] x) =>
        Enumerable.Range(0, dims.Length).ToDictionary(k => space.Params[dims[k]].Name, k => space.Params[dims[k]].Distribution.FromInternal(x[k]), StringComparer.Ordinal);
}
