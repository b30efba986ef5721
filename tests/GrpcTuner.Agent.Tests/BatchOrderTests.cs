using GrpcTuner.Agent.Training;

namespace GrpcTuner.Agent.Tests;

public class BatchOrderTests
{
    [Fact]
    public void GroupedBatchesHoldSimilarLengthsStartWithTheLongestAndCoverEveryExampleOnce()
    {
        var rng = new Random(5);
        var lengths = Enumerable.Range(0, 1000).Select(_ => (long)rng.Next(3, 129)).ToList();
        var permutation = Enumerable.Range(0, 1000).Select(i => (long)i).OrderBy(_ => rng.Next()).ToArray();
        int[] Shuffle(int n) => Enumerable.Range(0, n).Reverse().ToArray();
        var order = BatchOrder.GroupedByLength(permutation, lengths, batchSize: 10, Shuffle);

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), order.Order());
        Assert.Equal(lengths.Max(), lengths[(int)order[0]]);
        // Within a batch lengths are close: the padding a batch pays is a small part of what a random batch pays.
        double Padding(IEnumerable<long[]> batches) => batches.Sum(b => b.Sum(i => b.Max(j => lengths[(int)j]) - lengths[(int)i]));
        Assert.True(Padding(order.Chunk(10)) < Padding(permutation.Chunk(10)) / 10);
        // The batches are shuffled (here: reversed) rather than running from longest to shortest.
        Assert.True(lengths[(int)order[10]] < lengths[(int)order[^10]]);
    }
}
