using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pareto;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;

namespace GrpcTuner.Benchmarks.Quality;

/// <summary>NSGA-II against random search on 30-D ZDT1: median hypervolume (reference 1.1, 11) over seeds.</summary>
internal static class MultiObjectiveQuality
{
    public static void Run(int seeds, int trials)
    {
        const int dims = 30;
        var space = new SearchSpace(Enumerable.Range(0, dims).Select(i => new ParamSpec($"x{i}", new FloatDistribution(0, 1))).ToList());
        Direction[] directions = [Direction.Minimize, Direction.Minimize];
        double Median(SamplerKind kind)
        {
            var volumes = new double[seeds];
            Parallel.For(0, seeds, seed =>
            {
                var study = new StudyDefinition("zdt1", space, directions, new SamplerSettings(kind, (ulong)seed), PrunerSettings.None, 0, Trial.EmptyAttrs);
                var sampler = SamplerFactory.Create(study).Free!;
                var history = new List<Trial>(trials);
                for (var i = 0; i < trials; i++)
                {
                    var ps = sampler.Sample(history, Rng.For((ulong)seed, "zdt1", i));
                    history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = Problems.Zdt1(Enumerable.Range(0, dims).Select(d => ps[$"x{d}"].AsFloat).ToArray()) });
                }

                volumes[seed] = Hypervolume.Compute(BestTrials.Select(history, directions).Select(t => t.Values).ToList(), directions, [1.1, 11]);
            });
            Array.Sort(volumes);
            return (volumes[(seeds - 1) / 2] + volumes[seeds / 2]) / 2;
        }

        var nsga = Median(SamplerKind.Nsga2);
        var random = Median(SamplerKind.Random);
        Console.WriteLine($"ZDT1 (30-D), {trials} trials, {seeds} seeds, median hypervolume to (1.1, 11): NSGA-II {nsga:F4}, random {random:F4} ({(nsga > random ? "NSGA-II better" : "random better")})");
    }
}
