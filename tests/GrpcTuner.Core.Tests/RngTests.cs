using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Tests;

public class RngTests
{
    [Fact]
    public void SameSeedAndKeysGiveTheSameStream()
    {
        var a = Rng.For(42, "worker-1", 10L);
        var b = Rng.For(42, "worker-1", 10L);
        Assert.Equal(Enumerable.Range(0, 5).Select(_ => a.NextUInt64()), Enumerable.Range(0, 5).Select(_ => b.NextUInt64()));
    }

    [Fact]
    public void DifferentKeysGiveDifferentStreams()
    {
        Assert.NotEqual(Rng.For(42, "worker-1").NextUInt64(), Rng.For(42, "worker-2").NextUInt64());
        Assert.NotEqual(Rng.For(42, 1L).NextUInt64(), Rng.For(43, 1L).NextUInt64());
    }

    [Fact]
    public void UniformDrawsCoverTheUnitIntervalEvenly()
    {
        var rng = new Rng(1);
        var bins = new int[10];
        for (var i = 0; i < 100_000; i++)
        {
            bins[(int)(rng.NextDouble() * 10)]++;
        }

        Assert.All(bins, b => Assert.InRange(b, 9_500, 10_500));
    }

    [Fact]
    public void GaussianDrawsHaveUnitVariance()
    {
        var rng = new Rng(3);
        var xs = Enumerable.Range(0, 50_000).Select(_ => rng.NextGaussian()).ToArray();
        Assert.InRange(xs.Average(), -0.02, 0.02);
        Assert.InRange(xs.Select(x => x * x).Average(), 0.97, 1.03);
    }
}
