using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pareto;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Nsga2;

/// <summary>
/// NSGA-II (Deb et al. 2002) as Optuna runs it, made a pure function of the history: trials
/// belong to generations of population_size by number; each generation's parents are the elite of
/// the previous parents and that generation's complete trials (non-dominated rank, then crowding
/// distance); a new trial's params come from two binary-tournament winners by uniform crossover
/// and per-parameter mutation. The first generation is random.
/// </summary>
public sealed class Nsga2Sampler(StudyDefinition study) : ISampler
{
    private readonly Nsga2Options _o = study.Sampler.Nsga2 ?? new Nsga2Options();
    private FinishedPrefix<List<Trial>>? _checkpoint;

    public IReadOnlyDictionary<string, ParamValue> Sample(IReadOnlyList<Trial> history, Rng rng, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var generation = history.Count / _o.PopulationSize;
        var parents = Parents(history, generation);
        if (parents.Count < 2)
        {
            return IndependentSampling.DrawAll(study.Space, rng);
        }

        var ranks = NonDominatedSort.Ranks(parents.Select(t => t.Values).ToList(), study.Directions);
        var crowding = Crowding(parents, ranks);
        var a = Tournament(parents, ranks, crowding, rng);
        var b = Tournament(parents, ranks, crowding, rng);
        var cross = rng.NextDouble() < _o.CrossoverProbability;
        var mutation = _o.MutationProbability ?? 1.0 / study.Space.Params.Count;
        var child = new Dictionary<string, ParamValue>(StringComparer.Ordinal);
        foreach (var spec in study.Space.Params)
        {
            if (!SearchSpace.IsActive(spec, child))
            {
                continue;
            }

            var fromB = cross && rng.NextDouble() < _o.SwappingProbability;
            var parent = fromB ? b : a;
            child[spec.Name] = rng.NextDouble() < mutation || !parent.Params.TryGetValue(spec.Name, out var v) || !spec.Distribution.Contains(v)
                ? IndependentSampling.Draw(spec.Distribution, rng)
                : v;
        }

        return child;
    }

    /// <summary>The parent population for a generation: elite of the previous parents plus the previous generation's complete trials.</summary>
    private List<Trial> Parents(IReadOnlyList<Trial> history, int generation)
    {
        // Elites of generations whose trials had all finished cannot change: start after the last
        // such generation the previous Ask saw, when this history begins with the same trials.
        var checkpoint = Volatile.Read(ref _checkpoint)?.ValidFor(history);
        var start = (checkpoint?.Length ?? 0) / _o.PopulationSize;
        var parents = checkpoint?.Value ?? [];
        var (settledEnd, settledParents, settled) = (start, parents, true);
        for (var g = start; g < generation; g++)
        {
            var members = history.Skip(g * _o.PopulationSize).Take(_o.PopulationSize).ToList();
            parents = Elite(parents.Concat(members.Where(t => t.State == TrialState.Complete)).ToList());
            settled &= members.All(t => t.State.IsFinished());
            if (settled)
            {
                (settledEnd, settledParents) = (g + 1, parents);
            }
        }

        if (settledEnd > start)
        {
            Volatile.Write(ref _checkpoint, FinishedPrefix<List<Trial>>.Of(settledParents, history, settledEnd * _o.PopulationSize));
        }

        return parents;
    }

    private List<Trial> Elite(List<Trial> pool)
    {
        if (pool.Count <= _o.PopulationSize)
        {
            return pool;
        }

        var ranks = NonDominatedSort.Ranks(pool.Select(t => t.Values).ToList(), study.Directions);
        var crowding = Crowding(pool, ranks);
        return Enumerable.Range(0, pool.Count)
            .OrderBy(i => ranks[i]).ThenByDescending(i => crowding[i]).ThenBy(i => pool[i].Number)
            .Take(_o.PopulationSize).Select(i => pool[i]).ToList();
    }

    /// <summary>Crowding distance within each front: the perimeter of the box to the neighbours, infinite at the ends.</summary>
    private double[] Crowding(List<Trial> pool, int[] ranks)
    {
        var distance = new double[pool.Count];
        foreach (var front in Enumerable.Range(0, pool.Count).GroupBy(i => ranks[i]))
        {
            var members = front.ToList();
            for (var k = 0; k < study.Directions.Count; k++)
            {
                var sorted = members.OrderBy(i => pool[i].Values[k]).ThenBy(i => pool[i].Number).ToList();
                var span = pool[sorted[^1]].Values[k] - pool[sorted[0]].Values[k];
                distance[sorted[0]] = distance[sorted[^1]] = double.PositiveInfinity;
                for (var j = 1; j < sorted.Count - 1 && span > 0; j++)
                {
                    distance[sorted[j]] += (pool[sorted[j + 1]].Values[k] - pool[sorted[j - 1]].Values[k]) / span;
                }
            }
        }

        return distance;
    }

    private static Trial Tournament(List<Trial> pool, int[] ranks, double[] crowding, Rng rng)
    {
        var i = (int)rng.NextLong(pool.Count);
        var j = (int)rng.NextLong(pool.Count);
        return ranks[i] < ranks[j] || (ranks[i] == ranks[j] && crowding[i] >= crowding[j]) ? pool[i] : pool[j];
    }
}
