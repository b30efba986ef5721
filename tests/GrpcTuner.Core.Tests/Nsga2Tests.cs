using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pareto;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers.Nsga2;

namespace GrpcTuner.Core.Tests;

public class Nsga2Tests
{
    private static readonly Direction[] MinMin = [Direction.Minimize, Direction.Minimize];

    [Fact]
    public void HypervolumeOfAStaircaseIsItsArea()
    {
        // Boxes from (1,3), (2,2), (3,1) to (4,4): columns of height 1, 2 and 3.
        Assert.Equal(6.0, Hypervolume.Compute([[1, 3], [2, 2], [3, 1]], MinMin, [4, 4]), 12);
        // A point beyond the reference adds nothing; a dominated one adds nothing.
        Assert.Equal(6.0, Hypervolume.Compute([[1, 3], [2, 2], [3, 1], [5, 0], [3, 3]], MinMin, [4, 4]), 12);
    }

    [Fact]
    public void HypervolumeInThreeDimensionsCountsOverlapsOnce()
    {
        // Boxes 2 x 1 x 1 and 1 x 2 x 1 overlap in a unit cube: 2 + 2 - 1.
        Assert.Equal(3.0, Hypervolume.Compute([[0, 1, 1], [1, 0, 1]], [Direction.Minimize, Direction.Minimize, Direction.Minimize], [2, 2, 2]), 12);
    }

    [Fact]
    public void HypervolumeFlipsMaximizedObjectives() =>
        Assert.Equal(6.0, Hypervolume.Compute([[1, -3], [2, -2], [3, -1]], [Direction.Minimize, Direction.Maximize], [4, -4]), 12);

    [Fact]
    public void SameSeedAndHistoryGiveTheSameChild()
    {
        var study = Zdt1Study(5, population: 10);
        var history = Run(study, 35, seed: 1);
        var sampler = new Nsga2Sampler(study);
        var a = sampler.Sample(history, Rng.For(3, "w", 35L));
        var b = sampler.Sample(history, Rng.For(3, "w", 35L));
        Assert.Equal(a.OrderBy(p => p.Key), b.OrderBy(p => p.Key));
    }

    [Fact]
    public void EvolutionBeatsRandomSearchOnZdt1()
    {
        var nsga = Zdt1Study(10, population: 20);
        var random = nsga with { Sampler = new SamplerSettings(SamplerKind.Random, 1) };
        double Hv(StudyDefinition s) => Hypervolume.Compute(BestTrials.Select(Run(s, 400, seed: 1), MinMin).Select(t => t.Values).ToList(), MinMin, [1.1, 11]);
        var (evolved, sampled) = (Hv(nsga), Hv(random));
        Assert.True(evolved > sampled, $"NSGA-II hypervolume {evolved} should beat random's {sampled}");
    }

    public static StudyDefinition Zdt1Study(int dims, int population) => new("zdt1",
        new SearchSpace(Enumerable.Range(0, dims).Select(i => new ParamSpec($"x{i}", new FloatDistribution(0, 1))).ToList()),
        MinMin, new SamplerSettings(SamplerKind.Nsga2, 1, Nsga2: new Nsga2Options(PopulationSize: population)), PrunerSettings.None, 0, Trial.EmptyAttrs);

    /// <summary>ZDT1: f1 = x0, f2 = g (1 - sqrt(f1 / g)), g = 1 + 9 mean(x1..).</summary>
    public static double[] Zdt1(IReadOnlyDictionary<string, ParamValue> p, int dims)
    {
        var f1 = p["x0"].AsFloat;
        var g = 1 + (9 * Enumerable.Range(1, dims - 1).Average(i => p[$"x{i}"].AsFloat));
        return [f1, g * (1 - Math.Sqrt(f1 / g))];
    }

    private static List<Trial> Run(StudyDefinition study, int n, ulong seed)
    {
        var sampler = Samplers.SamplerFactory.Create(study).Free!;
        var history = new List<Trial>();
        for (var i = 0; i < n; i++)
        {
            var ps = sampler.Sample(history, Rng.For(seed, "w", (long)i));
            history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = Zdt1(ps, study.Space.Params.Count) });
        }

        return history;
    }
}
