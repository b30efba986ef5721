using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers.Tpe;

namespace GrpcTuner.Core.Tests;

public class ParzenEstimatorTests
{
    [Fact]
    public void ContinuousKernelHeightsDoNotDependOnTheBandwidth()
    {
        // Optuna 3.1 scores continuous kernels without -log(sigma): the same layout ten times wider
        // scores the same at its centre, where a normalised density would score a tenth.
        var narrow = new ParzenEstimator([new FloatDistribution(0, 10)], [[5.0], [2.0]], 1.0, multivariate: false);
        var wide = new ParzenEstimator([new FloatDistribution(0, 100)], [[50.0], [20.0]], 1.0, multivariate: false);
        Assert.Equal(narrow.LogPdf([[5.0]])[0], wide.LogPdf([[50.0]])[0], 9);
        Assert.True(narrow.LogPdf([[5.0]])[0] > narrow.LogPdf([[9.5]])[0]);
    }

    [Fact]
    public void DiscreteMassesSumToOne()
    {
        var d = new IntDistribution(0, 9);
        var pe = new ParzenEstimator([d], [[2.0], [3.0], [3.0]], 1.0, multivariate: false);
        var points = Enumerable.Range(0, 10).Select(i => new[] { (double)i }).ToArray();
        Assert.Equal(1.0, pe.LogPdf(points).Sum(Math.Exp), 6);
    }

    [Fact]
    public void CategoricalKernelsAreSmoothedOneHots()
    {
        // One observation of choice 1 among 3 with prior weight 1, as Optuna 3.1 smooths it: every cell of the
        // observation's kernel gets prior_weight / (n + 1) = 1/2, so it is (1/2, 3/2, 1/2) / 2.5; the prior kernel
        // is uniform; both weigh 1/2.
        var pe = new ParzenEstimator([new CategoricalDistribution([ParamValue.Of("a"), ParamValue.Of("b"), ParamValue.Of("c")])], [[1.0]], 1.0, false);
        var p = pe.LogPdf([[0.0], [1.0], [2.0]]).Select(Math.Exp).ToArray();
        var expectedB = (0.5 * (1.5 / 2.5)) + (0.5 / 3);
        Assert.Equal(expectedB, p[1], 9);
        Assert.Equal((1 - expectedB) / 2, p[0], 9);
    }

    [Fact]
    public void SamplesStayInBoundsAndNearTheObservations()
    {
        var pe = new ParzenEstimator([new FloatDistribution(0, 100)], Enumerable.Repeat(new[] { 50.0 }, 30).ToList(), 1.0, false);
        var samples = pe.Sample(new Rng(4), 2000).Select(s => s[0]).ToArray();
        Assert.All(samples, x => Assert.InRange(x, 0, 100));
        Assert.True(samples.Count(x => Math.Abs(x - 50) < 10) > 1500);
    }
}
