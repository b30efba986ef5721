using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.CmaEs;

/// <summary>
/// CMA-ES with IPOP restarts (Auger and Hansen 2005) over the float and integer parameters, mapped
/// to the unit cube. The state is a pure function of the history: trials form generations of
/// lambda in number order; each finished generation updates the state with its complete trials;
/// when the distribution has collapsed, a restart doubles lambda from a fresh random mean.
/// Categorical and conditional parameters are drawn at random (only when the study allows it).
/// </summary>
public sealed class CmaEsSampler : ISampler
{
    private const double Sigma0 = 1.0 / 6;
    private const double ConvergedSpread = 1e-9;

    private readonly StudyDefinition _study;
    private readonly List<ParamSpec> _numeric;
    private readonly int _lambda0;
    private FinishedPrefix<(CmaState State, int Restart)>? _checkpoint;

    public CmaEsSampler(StudyDefinition study)
    {
        _study = study;
        _numeric = study.Space.Params.Where(p => p.Condition is null && p.Distribution is not CategoricalDistribution).ToList();
        _lambda0 = study.Sampler.CmaEs?.PopulationSize ?? (4 + (int)Math.Floor(3 * Math.Log(Math.Max(_numeric.Count, 1))));
    }

    public IReadOnlyDictionary<string, ParamValue> Sample(IReadOnlyList<Trial> history, Rng rng, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var chosen = new Dictionary<string, ParamValue>(_study.Space.Params.Count, StringComparer.Ordinal);
        if (_numeric.Count > 0)
        {
            var state = Replay(history);
            var x = state.Sample(rng.NextGaussian);
            for (var attempt = 0; attempt < 100 && x.Any(v => v is < 0 or >= 1); attempt++)
            {
                x = state.Sample(rng.NextGaussian);
            }

            for (var i = 0; i < _numeric.Count; i++)
            {
                chosen[_numeric[i].Name] = IndependentSampling.FromUnit(_numeric[i].Distribution, Math.Clamp(x[i], 0, 1 - 1e-12));
            }
        }

        return IndependentSampling.DrawAll(_study.Space, rng, chosen);
    }

    /// <summary>The state after every finished generation of the history, restarts included.</summary>
    internal CmaState Replay(IReadOnlyList<Trial> history)
    {
        // Generations are blocks of trials by number, and a finished one never changes: start from
        // where the last Ask's replay stopped when this history begins with the same trials.
        var checkpoint = Volatile.Read(ref _checkpoint)?.ValidFor(history);
        var (state, restart) = checkpoint is null ? (Fresh(0), 0) : (checkpoint.Value.State.Copy(), checkpoint.Value.Restart);
        var position = checkpoint?.Length ?? 0;
        var sign = _study.Directions[0] == Direction.Minimize ? 1.0 : -1.0;
        while (position + state.Lambda <= history.Count)
        {
            var generation = Enumerable.Range(position, state.Lambda).Select(i => history[i]).ToList();
            if (generation.Any(t => !t.State.IsFinished()))
            {
                break;
            }

            var points = generation.Where(t => t.State == TrialState.Complete && _numeric.All(p => t.Params.TryGetValue(p.Name, out var v) && p.Distribution.Contains(v)))
                .OrderBy(t => sign * t.Values[0]).ThenBy(t => t.Number)
                .Select(t => _numeric.Select(p => IndependentSampling.ToUnit(p.Distribution, t.Params[p.Name])).ToArray())
                .ToList();
            position += state.Lambda;
            if (points.Count >= 2)
            {
                state.Tell(points);
            }

            if (_study.Sampler.CmaEs?.Restarts != false && state.Spread < ConvergedSpread)
            {
                state = Fresh(++restart);
            }
        }

        if (position > (checkpoint?.Length ?? 0))
        {
            Volatile.Write(ref _checkpoint, FinishedPrefix<(CmaState, int)>.Of((state.Copy(), restart), history, position));
        }

        return state;
    }

    private CmaState Fresh(int restart)
    {
        var mean = restart == 0
            ? Enumerable.Repeat(0.5, _numeric.Count).ToArray()
            : Enumerable.Range(0, _numeric.Count).Select(i => Rng.For(_study.Sampler.Seed, "cma-restart", restart, i).NextDouble()).ToArray();
        return new CmaState(_numeric.Count, _lambda0 << restart, mean, Sigma0);
    }
}
