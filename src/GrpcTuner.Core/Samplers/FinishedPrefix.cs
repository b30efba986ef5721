using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Samplers;

/// <summary>
/// A value computed from the first trials of a history, all finished, kept so that the next Ask
/// replays only what came after. Finished trials never change, so the value stays right for any
/// later history that starts with the same trials; a history that does not (another study version
/// after a restore, a shorter one) is detected and the caller starts over. Samplers whose state is a
/// pure function of the history (CMA-ES, NSGA-II) stay pure: the checkpoint only saves work.
/// </summary>
internal sealed class FinishedPrefix<T>(T value, Trial[] trials)
{
    public T Value { get; } = value;

    /// <summary>How many trials of the history the value accounts for.</summary>
    public int Length => trials.Length;

    /// <summary>This checkpoint when <paramref name="history"/> starts with its trials, else null.</summary>
    public FinishedPrefix<T>? ValidFor(IReadOnlyList<Trial> history)
    {
        if (history.Count < trials.Length)
        {
            return null;
        }

        for (var i = 0; i < trials.Length; i++)
        {
            if (!ReferenceEquals(history[i], trials[i]) && !SameOutcome(history[i], trials[i]))
            {
                return null;
            }
        }

        return this;
    }

    public static FinishedPrefix<T> Of(T value, IReadOnlyList<Trial> history, int length)
    {
        var trials = new Trial[length];
        for (var i = 0; i < length; i++)
        {
            trials[i] = history[i];
        }

        return new FinishedPrefix<T>(value, trials);
    }

    /// <summary>The same trial read again (another replica, a reload): what a sampler reads of it is equal.</summary>
    private static bool SameOutcome(Trial a, Trial b) =>
        a.Number == b.Number && a.State == b.State && a.Values.SequenceEqual(b.Values)
        && a.Params.Count == b.Params.Count && a.Params.All(kv => b.Params.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
