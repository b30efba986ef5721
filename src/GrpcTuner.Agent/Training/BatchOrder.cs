namespace GrpcTuner.Agent.Training;

/// <summary>
/// The order examples are visited in an epoch with group_by_length, after Hugging Face's
/// LengthGroupedSampler: the epoch's random permutation is cut into megabatches of 50 batches,
/// each sorted by length, so a batch pads little, and the batch holding the longest example goes
/// first, so memory peaks at once rather than late in the epoch. Unlike that sampler, the batches
/// are then shuffled: a data set smaller than one megabatch would otherwise see the same batches,
/// longest to shortest, in every epoch.
/// </summary>
internal static class BatchOrder
{
    private const int BatchesPerMegabatch = 50;

    /// <param name="permutation">The epoch's random order of example indexes.</param>
    /// <param name="lengths">Each example's length.</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="shuffle">Draws the order of the batches (the epoch's generator, so a resumed run draws the same).</param>
    public static long[] GroupedByLength(long[] permutation, IReadOnlyList<long> lengths, int batchSize, Func<int, int[]> shuffle)
    {
        var batches = permutation.Chunk(BatchesPerMegabatch * batchSize)
            .SelectMany(m => m.OrderByDescending(i => lengths[(int)i]).Chunk(batchSize))
            .ToList();
        var longest = batches.Select((b, k) => (Length: lengths[(int)b[0]], k)).MaxBy(x => x.Length).k;
        (batches[0], batches[longest]) = (batches[longest], batches[0]);
        var rest = shuffle(batches.Count - 1);
        return batches[0].Concat(rest.SelectMany(k => batches[k + 1])).ToArray();
    }
}
