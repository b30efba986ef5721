using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;
using GrpcTuner.Core.Schedulers;
using GrpcTuner.Core.Validation;

namespace GrpcTuner.Core.Tests;

public class PbtSchedulerTests
{
    private static readonly StudyDefinition Study = PbtStudy(null);

    private static StudyDefinition PbtStudy(IReadOnlyList<string>? mutable) => new("pbt",
        new SearchSpace([new ParamSpec("lr", new FloatDistribution(1e-4, 1, Log: true)), new ParamSpec("batch", new IntDistribution(8, 256)), new ParamSpec("opt", new CategoricalDistribution([ParamValue.Of("sgd"), ParamValue.Of("adam"), ParamValue.Of("lamb")]))]),
        [Direction.Maximize], new SamplerSettings(SamplerKind.Random, 5),
        new PrunerSettings(PrunerKind.Pbt, Pbt: new PbtOptions(PerturbationInterval: 2, ResampleProbability: 0, MutableParams: mutable)), 0, Trial.EmptyAttrs);

    /// <summary>Eight running trials whose accuracy at step 2 is 0.1 .. 0.8, each with a checkpoint and a batch size of its own.</summary>
    private static List<Trial> Population() => Enumerable.Range(0, 8).Select(i => new Trial
    {
        Number = i, State = TrialState.Running, Checkpoint = $"/ck/trial-{i}",
        Params = new Dictionary<string, ParamValue> { ["lr"] = ParamValue.Of(0.01 * (i + 1)), ["batch"] = ParamValue.Of(100L + (10 * i)), ["opt"] = ParamValue.Of("adam") },
        Intermediate = [new IntermediateValue(0, 0.05), new IntermediateValue(2, 0.1 * (i + 1))],
    }).ToList();

    [Fact]
    public void ByDefaultOnlyFloatParametersAreExploredAndTheOthersAreTheDonors()
    {
        // A batch size or an optimizer the donor's checkpoint was not trained with is not PBT's to change unless listed.
        var population = Population();
        var (donor, ps) = new PbtScheduler(Study).Decide(population[0], population)!.Value;
        var lr = donor.Params["lr"].AsFloat;
        Assert.True(Math.Abs(ps["lr"].AsFloat - (lr * 1.2)) < 1e-12 || Math.Abs(ps["lr"].AsFloat - (lr * 0.8)) < 1e-12, $"lr {ps["lr"]} from {lr}");
        Assert.Equal(donor.Params["batch"], ps["batch"]);
        Assert.Equal(donor.Params["opt"], ps["opt"]);
        Assert.NotEqual(population[0].Params["batch"], ps["batch"]);
    }

    [Fact]
    public void ListedParametersAreExploredAndTheUnlistedAreTheDonors()
    {
        var population = Population();
        var (donor, ps) = new PbtScheduler(PbtStudy(["batch"])).Decide(population[0], population)!.Value;
        Assert.Contains(ps["batch"].AsInt, new[] { (long)Math.Round(donor.Params["batch"].AsInt * 1.2), (long)Math.Round(donor.Params["batch"].AsInt * 0.8) });
        Assert.Equal(donor.Params["lr"], ps["lr"]);
        Assert.Equal(donor.Params["opt"], ps["opt"]);
    }

    [Fact]
    public void AMutableParameterOutsideTheSpaceIsRefusedByName()
    {
        var e = Assert.Throws<TunerException>(() => StudyValidator.Validate(PbtStudy(["lr", "seed"])));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        var violation = Assert.Single(e.Violations);
        Assert.Equal("pruner.pbt.mutable_params[1]", violation.Field);
        Assert.Contains("'seed'", violation.Description);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(StudyValidator.MaxPopulation + 1)]
    public void APopulationSizeOutOfRangeIsRefusedByName(int size)
    {
        var study = Study with { Pruner = Study.Pruner with { Pbt = Study.Pruner.Pbt! with { PopulationSize = size } } };
        var e = Assert.Throws<TunerException>(() => StudyValidator.Validate(study));
        Assert.Equal("pruner.pbt.population_size", Assert.Single(e.Violations).Field);
    }

    [Fact]
    public void ABottomQuartileTrialExploitsATopQuartileOneAndExploresEveryListedParameter()
    {
        var population = Population();
        var decision = new PbtScheduler(PbtStudy(["lr", "batch", "opt"])).Decide(population[0], population);
        Assert.NotNull(decision);
        var (donor, ps) = decision.Value;
        Assert.Contains(donor.Number, new long[] { 6, 7 });
        // lr x 1.2 or x 0.8; batch likewise, on the integer grid; opt moves to a neighbour.
        var lr = donor.Params["lr"].AsFloat;
        Assert.True(Math.Abs(ps["lr"].AsFloat - (lr * 1.2)) < 1e-12 || Math.Abs(ps["lr"].AsFloat - (lr * 0.8)) < 1e-12, $"lr {ps["lr"]} from {lr}");
        var batch = donor.Params["batch"].AsInt;
        Assert.Contains(ps["batch"].AsInt, new[] { (long)Math.Round(batch * 1.2), (long)Math.Round(batch * 0.8) });
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
