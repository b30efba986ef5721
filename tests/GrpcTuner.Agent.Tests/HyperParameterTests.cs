using GrpcTuner.Agent.Training;
using GrpcTuner.V1;

namespace GrpcTuner.Agent.Tests;

public class HyperParameterTests
{
    private static readonly string[] TaskParams = ["hidden_size"];

    [Fact]
    public void DefaultsApplyToWhatTheStudyDoesNotTune()
    {
        var hp = HyperParameters.Parse(new Dictionary<string, ParamValue> { ["learning_rate"] = new() { FloatValue = 0.01 }, ["hidden_size"] = new() { IntValue = 64 } }, TaskParams);
        Assert.Equal(0.01, hp.LearningRate);
        Assert.Equal(32, hp.BatchSize);
        Assert.Equal("linear", hp.LrScheduler);
        Assert.Equal(64, hp.Extra["hidden_size"].IntValue);
    }

    [Theory]
    [InlineData("momentum", 0.9, "unknown hyperparameter 'momentum'")]
    [InlineData("learning_rate", -1.0, "hyperparameter 'learning_rate' = -1 is out of range")]
    [InlineData("weight_decay", 2.0, "hyperparameter 'weight_decay' = 2 is out of range [0, 1]")]
    [InlineData("per_device_batch_size", 16.0, "hyperparameter 'per_device_batch_size' must be an integer")]
    public void BadHyperparametersFailTheTrialWithAReasonNamingThem(string name, double value, string reason)
    {
        var e = Assert.Throws<TrialFailedException>(() => HyperParameters.Parse(new Dictionary<string, ParamValue> { [name] = new() { FloatValue = value } }, TaskParams));
        Assert.StartsWith(reason, e.Message);
    }

    [Fact]
    public void AnUnknownSchedulerIsRefused()
    {
        var e = Assert.Throws<TrialFailedException>(() => HyperParameters.Parse(new Dictionary<string, ParamValue> { ["lr_scheduler"] = new() { StringValue = "step" } }, TaskParams));
        Assert.Equal("hyperparameter 'lr_scheduler' = 'step' must be one of linear, cosine, constant", e.Message);
    }

    [Fact]
    public void WarmupStepsWinOverTheRatio()
    {
        Assert.Equal(10, new HyperParameters { WarmupRatio = 0.1 }.WarmupFor(100));
        Assert.Equal(7, new HyperParameters { WarmupRatio = 0.1, WarmupSteps = 7 }.WarmupFor(100));
    }

    [Theory]
    [InlineData("linear", 0, 10, 100, 0.1)]
    [InlineData("linear", 9, 10, 100, 1.0)]
    [InlineData("linear", 55, 10, 100, 0.5)]
    [InlineData("cosine", 55, 10, 100, 0.5)]
    [InlineData("cosine", 10, 10, 100, 1.0)]
    [InlineData("constant", 90, 10, 100, 1.0)]
    [InlineData("linear", 100, 10, 100, 0.0)]
    public void ScheduleFactorsMatchHuggingFaces(string kind, int step, int warmup, int total, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.Factor(kind, step, warmup, total), 9);

    [Fact]
    public void LoraTakesItsOwnLearningRateWhenTheStudyGivesOne()
    {
        Dictionary<string, ParamValue> Params(string method) => new()
        {
            ["method"] = new() { StringValue = method },
            ["learning_rate"] = new() { FloatValue = 3e-5 },
            ["lora_learning_rate"] = new() { FloatValue = 2e-3 },
        };
        Assert.Equal(2e-3, HyperParameters.Parse(Params("lora"), TaskParams).LearningRate);
        Assert.Equal(3e-5, HyperParameters.Parse(Params("full"), TaskParams).LearningRate);
    }

    [Fact]
    public void FlagsTakeBooleansOrTheirNames()
    {
        var hp = HyperParameters.Parse(new Dictionary<string, ParamValue>
        {
            ["gradient_checkpointing"] = new() { BoolValue = true },
            ["group_by_length"] = new() { StringValue = "true" },
        }, TaskParams);
        Assert.True(hp.GradientCheckpointing);
        Assert.True(hp.GroupByLength);
        var e = Assert.Throws<TrialFailedException>(() => HyperParameters.Parse(new Dictionary<string, ParamValue> { ["group_by_length"] = new() { IntValue = 2 } }, TaskParams));
        Assert.StartsWith("hyperparameter 'group_by_length' must be true or false", e.Message);
    }
}
