using System.Diagnostics;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;

namespace GrpcTuner.Benchmarks;

/// <summary>
/// Milliseconds per suggestion of each sampler after n finished trials, in process: the algorithm's own cost, without transport.
/// Two dimensions are Branin's; more are Styblinski-Tang on [-5, 5].
/// </summary>
internal static class SamplerCost
{
    public static void Run(IReadOnlyList<SamplerKind> kinds, IReadOnlyList<int> histories, IReadOnlyList<int> dimensions)
    {
        Console.WriteLine("| sampler | dimensions | history | ms per suggestion (median of 50) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var kind in kinds)
        {
            foreach (var dims in dimensions)
            {
                var space = Space(dims);
                foreach (var n in histories)
                {
                    var rng = new Rng(1);
                    var history = Enumerable.Range(0, n).Select(i =>
                    {
                        var ps = IndependentSampling.DrawAll(space, rng);
                        return new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [Objective(ps, dims)] };
                    }).ToList();
                    var sampler = SamplerFactory.Create(new StudyDefinition("c", space, [Direction.Minimize], new SamplerSettings(kind, 1), PrunerSettings.None, 0, Trial.EmptyAttrs)).Free!;
                    var times = new List<double>();
                    for (var i = 0; i < 60; i++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        sampler.Sample(history, Rng.For(1, i));
                        if (i >= 10)
                        {
                            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        }
                    }

                    Console.WriteLine($"| {kind} | {dims} | {n} | {times.Order().ElementAt(times.Count / 2):F3} |");
                }
            }
        }
    }

    private static SearchSpace Space(int dims) => dims == 2
        ? new SearchSpace([new ParamSpec("x1", new FloatDistribution(-5, 10)), new ParamSpec("x2", new FloatDistribution(0, 15))])
        : new SearchSpace(Enumerable.Range(0, dims).Select(d => new ParamSpec($"x{d + 1}", new FloatDistribution(-5, 5))).ToList());

    private static double Objective(IReadOnlyDictionary<string, ParamValue> ps, int dims) => dims == 2
        ? Problems.Branin(ps["x1"].AsFloat, ps["x2"].AsFloat)
        : Problems.StyblinskiTang(Enumerable.Range(0, dims).Select(d => ps[$"x{d + 1}"].AsFloat).ToList());
}
