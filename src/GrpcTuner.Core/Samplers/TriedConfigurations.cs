using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers;

/// <summary>
/// The configurations the history already holds, on spaces where a repeat is exact (every parameter
/// categorical, integer or stepped): a repeat there costs a trial and teaches the model nothing, so
/// TPE and GP-BO take their best candidate not tried yet. Null on continuous spaces, where repeats do not happen.
/// </summary>
internal sealed class TriedConfigurations
{
    private const int MaxExpansions = 2000;
    private const int RandomAttempts = 1000;
    private readonly HashSet<string> _keys;

    private TriedConfigurations(HashSet<string> keys) => _keys = keys;

    public static TriedConfigurations? Of(SearchSpace space, IReadOnlyList<Trial> history) =>
        space.Params.All(p => p.Distribution is CategoricalDistribution or IntDistribution || p.Distribution is FloatDistribution { Step: not null })
            ? new TriedConfigurations(history.Select(t => ConfigurationKey.Of(t.Params)).ToHashSet(StringComparer.Ordinal))
            : null;

    public bool Contains(IReadOnlyDictionary<string, ParamValue> config) => _keys.Contains(ConfigurationKey.Of(config));

    /// <summary>
    /// Under the independent model a configuration's score is the sum of its parameters' scores, so the
    /// best combinations come out of a best-first walk over the ranked candidates of each parameter.
    /// </summary>
    /// <param name="fixedPart">Parameters already chosen that the walk keeps.</param>
    /// <param name="ranked">Per parameter, its candidate values and scores, best first.</param>
    public Dictionary<string, ParamValue>? BestUntried(IReadOnlyDictionary<string, ParamValue> fixedPart, IReadOnlyList<(string Name, ParamValue[] Values, double[] Scores)> ranked)
    {
        var queue = new PriorityQueue<int[], double>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var start = new int[ranked.Count];
        queue.Enqueue(start, 0);
        visited.Add(string.Join(',', start));
        for (var expansions = 0; expansions < MaxExpansions && queue.TryDequeue(out var state, out _); expansions++)
        {
            var config = new Dictionary<string, ParamValue>(fixedPart, StringComparer.Ordinal);
            for (var d = 0; d < ranked.Count; d++)
            {
                config[ranked[d].Name] = ranked[d].Values[state[d]];
            }

            if (!Contains(config))
            {
                return config;
            }

            for (var d = 0; d < ranked.Count; d++)
            {
                if (state[d] + 1 >= ranked[d].Values.Length)
                {
                    continue;
                }

                var next = (int[])state.Clone();
                next[d]++;
                if (visited.Add(string.Join(',', next)))
                {
                    queue.Enqueue(next, Enumerable.Range(0, ranked.Count).Sum(k => ranked[k].Scores[0] - ranked[k].Scores[next[k]]));
                }
            }
        }

        return null;
    }

    /// <summary>A configuration no trial has, drawn at random; null when none turns up (the space is exhausted, or nearly).</summary>
    public Dictionary<string, ParamValue>? RandomUntried(SearchSpace space, Rng rng)
    {
        for (var attempt = 0; attempt < RandomAttempts; attempt++)
        {
            var draw = IndependentSampling.DrawAll(space, rng);
            if (!Contains(draw))
            {
                return draw;
            }
        }

        return null;
    }
}
