using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Schedulers;

namespace GrpcTuner.Core.Tests;

public class PbtSchedulerTests
{
    private static readonly StudyDefinition Study = new("pbt",
        new SearchSpace([new ParamSpec("lr", new FloatDistribution(1e-4, 1, Log: true)), new ParamSpec("batch", new IntDistribution(8, 256)), new ParamSpec("opt", new CategoricalDistribution([ParamValue.Of("sgd"), ParamValue.Of("adam"), ParamValue.Of("lamb")]))]),
        [Direction.Maximize], new SamplerSettings(SamplerKind.Random, 5),
        new PrunerSettings(PrunerKind.Pbt, Pbt: new PbtOptions(PerturbationInterval: 2, ResampleProbability: 0)), 0, Trial.EmptyAttrs);

    /// <summary>Eight running trials whose accuracy at step 2 is 0.1 .. 0.8, each with a checkpoint.</summary>
    private static List<Trial> Population() => Enumerable.Range(0, 8).Select(i => new Trial
    {
        Number = i, State = TrialState.Running, Checkpoint = $"/ck/trial-{i}",
        Params = new Dictionary<string, ParamValue> { ["lr"] = ParamValue.Of(0.01 * (i + 1)), ["batch"] = ParamValue.Of(100L), ["opt"] = ParamValue.Of("adam") },
        Intermediate = [new IntermediateValue(0, 0.05), new IntermediateValue(2, 0.1 * (i + 1))],
    }).ToList();

    [Fact]
    public void ABottomQuartileTrialExploitsATopQuartileOneAndExplores()
    {
        var population = Population();
        var decision = new PbtScheduler(Study).Decide(population[0], population);
        Assert.NotNull(decision);
        var (donor, ps) = decision.Value;
        Assert.Contains(donor.Number, new long[] { 6, 7 });
        // lr x 1.2 or x 0.8; batch likewise, on the integer grid; opt moves to a neighbour.
        var lr = donor.Params["lr"].AsFloat;
        Assert.True(Math.Abs(ps["lr"].AsFloat - (lr * 1.2)) < 1e-12 || Math.Abs(ps["lr"].AsFloat - (lr * 0.8)) < 1e-12, $"lr {ps["lr"]} from {lr}");
        Assert.Contains(ps["batch"].AsInt, new long[] { 120, 80 });
        Assert.Contains(ps["opt"].AsString, new[] { "sgd", "lamb" });
    }

    [Fact]
    public void GoodTrialsAndOffIntervalStepsContinue()
    {
        var population = Population();
        var scheduler = new PbtScheduler(Study);
        Assert.Null(scheduler.Decide(population[7], population));
        Assert.Null(scheduler.Decide(population[3], population));
        var offInterval = population[0] with { Intermediate = [new IntermediateValue(3, 0.01)] };
        Assert.Null(scheduler.Decide(offInterval, population));
    }

    [Fact]
    public void DonorsWithoutACheckpointCannotBeExploited()
    {
        var population = Population().Select(t => t with { Checkpoint = "" }).ToList();
        Assert.Null(new PbtScheduler(Study).Decide(population[0], population));
    }

    [Fact]
    public void TheDecisionIsDeterministic()
    {
        var population = Population();
        var a = new PbtScheduler(Study).Decide(population[1], population)!.Value;
        var b = new PbtScheduler(Study).Decide(population[1], population)!.Value;
        Assert.Equal(a.Donor.Number, b.Donor.Number);
        Assert.Equal(a.Params.OrderBy(p => p.Key), b.Params.OrderBy(p => p.Key));
    }
}
