using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;
using GrpcTuner.Core.Schedulers;

namespace GrpcTuner.Benchmarks.Quality;

/// <summary>
/// PBT against random search on a simulated learner whose best learning rate falls during
/// training (high early, low late), for the same total number of epochs: a population of 8 trials
/// for 20 epochs each. The learner's state is its quality q in [0, 1), which a checkpoint carries;
/// each epoch adds (1 - q) times a gain that peaks when log10(lr) is at the epoch's target.
/// PBT decisions come from the same PbtScheduler the server runs.
/// </summary>
internal static class PbtQuality
{
    private const int Population = 8, Epochs = 20;

    public static void Run(int seeds)
    {
        var space = new SearchSpace([new ParamSpec("learning_rate", new FloatDistribution(1e-5, 1, Log: true))]);
        var pbt = new StudyDefinition("pbt", space, [Direction.Maximize], new SamplerSettings(SamplerKind.Random, 0),
            new PrunerSettings(PrunerKind.Pbt, Pbt: new PbtOptions(PerturbationInterval: 2)), 0, Trial.EmptyAttrs);
        var withPbt = new double[seeds];
        var random = new double[seeds];
        for (var seed = 0; seed < seeds; seed++)
        {
            withPbt[seed] = Simulate(pbt with { Sampler = new SamplerSettings(SamplerKind.Random, (ulong)seed) }, usePbt: true);
            random[seed] = Simulate(pbt with { Sampler = new SamplerSettings(SamplerKind.Random, (ulong)seed) }, usePbt: false);
        }

        Array.Sort(withPbt);
        Array.Sort(random);
        var (p, r) = (withPbt[seeds / 2], random[seeds / 2]);
        Console.WriteLine($"PBT vs random, learning rate that must fall during training, {Population} trials x {Epochs} epochs, {seeds} seeds, median best final quality: PBT {p:F4}, random {r:F4} ({(p > r ? "PBT better" : "random better")})");
    }

    private static double Simulate(StudyDefinition study, bool usePbt)
    {
        var rng = Rng.For(study.Sampler.Seed, "pbt-benchmark");
        var trials = Enumerable.Range(0, Population).Select(i => new Trial
        {
            Number = i, State = TrialState.Running, Params = IndependentSampling.DrawAll(study.Space, rng),
        }).ToArray();
        var quality = new double[Population];
        var scheduler = new PbtScheduler(study);
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            for (var i = 0; i < Population; i++)
            {
                quality[i] += (1 - quality[i]) * Gain(trials[i].Params["learning_rate"].AsFloat, epoch);
                trials[i] = trials[i] with { Intermediate = trials[i].Intermediate.Append(new IntermediateValue(epoch, quality[i])).ToArray(), Checkpoint = $"q{i}" };
            }

            for (var i = 0; usePbt && i < Population; i++)
            {
                if (scheduler.Decide(trials[i], trials) is { } exploit)
                {
                    quality[i] = quality[exploit.Donor.Number];
                    trials[i] = trials[i] with { Params = exploit.Params };
                }
            }
        }

        return quality.Max();
    }

    /// <summary>The per-epoch gain: best when log10(lr) equals a target that falls from -1 to -4 over training.</summary>
    private static double Gain(double learningRate, int epoch)
    {
        var target = -1 - (3.0 * epoch / (Epochs - 1));
        return 0.25 * Math.Exp(-Math.Pow(Math.Log10(learningRate) - target, 2) / 0.5);
    }
}
