using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;
using GrpcTuner.Core.Samplers.CmaEs;
using GrpcTuner.Core.Validation;

namespace GrpcTuner.Core.Tests;

public class CmaEsTests
{
    [Fact]
    public void EigenDecompositionOfAKnownMatrix()
    {
        var (values, vectors) = SymmetricEigen.Decompose(new double[,] { { 2, 1 }, { 1, 2 } });
        Assert.Equal([1.0, 3.0], values.Order().Select(v => Math.Round(v, 10)));
        // Each column v satisfies A v = lambda v.
        for (var k = 0; k < 2; k++)
        {
            var (x, y) = (vectors[0, k], vectors[1, k]);
            Assert.Equal(values[k] * x, (2 * x) + y, 10);
            Assert.Equal(values[k] * y, x + (2 * y), 10);
        }
    }

    [Fact]
    public void ConvergesOnASphere()
    {
        var study = Study(5);
        var best = Run(study, 320, p => Enumerable.Range(0, 5).Sum(i => Math.Pow(p[$"x{i}"].AsFloat - 0.2, 2)));
        Assert.True(best < 1e-4, $"best {best} after 320 trials on a 5-D sphere");
    }

    [Fact]
    public void TheStateAfterAGenerationMovesTowardTheBetterPoints()
    {
        var study = Study(2);
        var sampler = new CmaEsSampler(study);
        var history = new List<Trial>();
        for (var i = 0; i < 6; i++)
        {
            var ps = sampler.Sample(history, Rng.For(1, i));
            history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [ps["x0"].AsFloat] });
        }

        // Minimizing x0 over [-1, 1]: the mean's first coordinate (unit scale, starting at 0.5) must drop.
        Assert.True(sampler.Replay(history).Mean[0] < 0.5);
    }

    [Fact]
    public void ACategoricalSpaceIsRefusedUnlessRandomDrawsAreAllowed()
    {
        var space = new SearchSpace([new ParamSpec("x", new FloatDistribution(0, 1)), new ParamSpec("c", new CategoricalDistribution([ParamValue.Of("a"), ParamValue.Of("b")]))]);
        var study = Study(1) with { Space = space };
        var e = Assert.Throws<TunerException>(() => StudyValidator.Validate(study));
        Assert.Contains(e.Violations, v => v.Field == "search_space.params[1]");
        StudyValidator.Validate(study with { Sampler = study.Sampler with { CmaEs = new CmaEsOptions(RandomForOtherParams: true) } });
    }

    public static StudyDefinition Study(int dims, double low = -1, double high = 1) => new("cma",
        new SearchSpace(Enumerable.Range(0, dims).Select(i => new ParamSpec($"x{i}", new FloatDistribution(low, high))).ToList()),
        [Direction.Minimize], new SamplerSettings(SamplerKind.CmaEs, 3), PrunerSettings.None, 0, Trial.EmptyAttrs);

    private static double Run(StudyDefinition study, int n, Func<IReadOnlyDictionary<string, ParamValue>, double> f)
    {
        var sampler = SamplerFactory.Create(study).Free!;
        var history = new List<Trial>();
        for (var i = 0; i < n; i++)
        {
            var ps = sampler.Sample(history, Rng.For(3, "w", (long)i));
            history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [f(ps)] });
        }

        return history.Min(t => t.Values[0]);
    }
}
