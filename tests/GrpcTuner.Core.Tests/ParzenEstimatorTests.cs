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
        var narrow = Univariate(new FloatDistribution(0, 10), 5.0, 2.0);
        var wide = Univariate(new FloatDistribution(0, 100), 50.0, 20.0);
        Assert.Equal(narrow.LogPdf([5.0])[0], wide.LogPdf([50.0])[0], 9);
        Assert.True(narrow.LogPdf([5.0])[0] > narrow.LogPdf([9.5])[0]);
    }

    [Fact]
    public void DiscreteMassesSumToOne()
    {
        var pe = Univariate(new IntDistribution(0, 9), 2.0, 3.0, 3.0);
        Assert.Equal(1.0, pe.LogPdf(Enumerable.Range(0, 10).Select(i => (double)i).ToArray()).Sum(Math.Exp), 6);
    }

    [Fact]
    public void CategoricalKernelsAreSmoothedOneHots()
    {
        // One observation of choice 1 among 3 with prior weight 1, as Optuna 3.1 smooths it: every cell of the
        // observation's kernel gets prior_weight / (n + 1) = 1/2, so it is (1/2, 3/2, 1/2) / 2.5; the prior kernel
        // is uniform; both weigh 1/2.
        var choices = new CategoricalDistribution([ParamValue.Of("a"), ParamValue.Of("b"), ParamValue.Of("c")]);
        var expectedB = (0.5 * (1.5 / 2.5)) + (0.5 / 3);
        foreach (var p in new[]
        {
            Univariate(choices, 1.0).LogPdf([0.0, 1.0, 2.0]).Select(Math.Exp).ToArray(),
            new MultivariateParzenEstimator([choices], [[1.0]], 1.0).LogPdf([[0.0], [1.0], [2.0]]).Select(Math.Exp).ToArray(),
        })
        {
            Assert.Equal(expectedB, p[1], 9);
            Assert.Equal((1 - expectedB) / 2, p[0], 9);
        }
    }

    [Fact]
    public void SamplesStayInBoundsAndNearTheObservations()
    {
        var pe = Univariate(new FloatDistribution(0, 100), Enumerable.Repeat(50.0, 30).ToArray());
        var samples = pe.Sample(new Rng(4), 2000);
        Assert.All(samples, x => Assert.InRange(x, 0, 100));
        Assert.True(samples.Count(x => Math.Abs(x - 50) < 10) > 1500);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScoringOnlyTheNearKernelsGivesWhatScoringThemAllDoes(bool stepped)
    {
        // 5,000 observations: every kernel but a few is clipped to 1/100 of the range and scored only
        // near a point. The sum over all kernels, written out here, must agree.
        var distribution = stepped ? new FloatDistribution(0, 1, Step: 0.001) : new FloatDistribution(0, 1);
        var rng = new Rng(9);
        var observations = Enumerable.Range(0, 5000).Select(_ => Math.Round(Math.Pow(rng.NextDouble(), 3), 3)).ToArray();
        var pe = Univariate(distribution, observations);
        var weights = Parzen.ObservationWeights(observations.Length, 1.0);
        var mus = observations.Append(0.5).ToArray();
        var sorted = mus.Order().ToArray();
        var (low, high) = stepped ? (-0.0005, 1.0005) : (0.0, 1.0);
        var minSigma = (high - low) / 100;
        var sigmas = mus.Select((mu, i) =>
        {
            if (i == observations.Length)
            {
                return high - low;
            }

            var r = Array.IndexOf(sorted, mu);
            var rLast = Array.LastIndexOf(sorted, mu);
            // Ties: gaps to equal neighbours are 0, so only a run's first and last kernels see a gap; clipping hides which.
            var left = r == 0 ? 0 : mu - sorted[r - 1];
            var right = rLast == sorted.Length - 1 ? 0 : sorted[rLast + 1] - mu;
            return Math.Clamp(Math.Max(left, right), minSigma, high - low);
        }).ToArray();
        foreach (var x in new[] { 0.0, 0.001, 0.2, 0.5, 0.731, 1.0 })
        {
            double sum = 0;
            for (var i = 0; i < mus.Length; i++)
            {
                var mass = Gaussian.Mass((low - mus[i]) / sigmas[i], (high - mus[i]) / sigmas[i]);
                sum += weights[i] / mass * (stepped
                    ? Gaussian.Mass((Math.Max(x - 0.0005, low) - mus[i]) / sigmas[i], (Math.Min(x + 0.0005, high) - mus[i]) / sigmas[i])
                    : Math.Exp(Gaussian.LogPdf((x - mus[i]) / sigmas[i])));
            }

            Assert.Equal(Math.Log(sum), pe.LogPdf([x])[0], 9);
        }
    }

    /// <param name="observations">Internal coordinates: the values themselves on these linear domains.</param>
    private static UnivariateParzenEstimator Univariate(Distribution distribution, params double[] observations)
    {
        var ascending = Enumerable.Range(0, observations.Length).OrderBy(i => observations[i]).ThenBy(i => i).ToArray();
        return new UnivariateParzenEstimator(distribution, new SortedObservations(ascending.Select(i => observations[i]).ToArray(), ascending), 1.0);
    }
}
