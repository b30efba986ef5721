using GrpcTuner.Core.Samplers.Tpe;

namespace GrpcTuner.Core.Tests;

public class GaussianTests
{
    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-3.0, 0.0013498980316301)]
    [InlineData(2.5, 0.9937903346742238)]
    public void CdfMatchesTables(double x, double expected) => Assert.Equal(expected, Gaussian.Cdf(x), 1e-7);

    [Theory]
    [InlineData(-6.0)]
    [InlineData(-2.0)]
    [InlineData(0.3)]
    [InlineData(4.0)]
    public void InverseCdfUndoesCdf(double x) => Assert.Equal(x, Gaussian.InverseCdf(Gaussian.Cdf(x)), 1e-5);

    [Fact]
    public void MassFarInTheUpperTailKeepsRelativePrecision()
    {
        // P(8 <= X <= 9) is about 6.2e-16: computed as 1 - 1 it would be 0.
        var mass = Gaussian.Mass(8, 9);
        Assert.InRange(mass, 6.0e-16, 6.4e-16);
    }

    [Fact]
    public void TruncatedDrawsStayInsideTheirInterval()
    {
        for (var i = 0; i < 100; i++)
        {
            var u = i / 100.0;
            Assert.InRange(Gaussian.SampleTruncated(3, 4, u), 3, 4);
            Assert.InRange(Gaussian.SampleTruncated(-5, -4.5, u), -5, -4.5);
        }
    }
}
