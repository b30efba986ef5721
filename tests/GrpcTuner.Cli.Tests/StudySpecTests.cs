using GrpcTuner.Cli.Specs;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Tests;

public class StudySpecTests
{
    [Fact]
    public void TheExampleSpecReadsIntoARequest()
    {
        var r = StudySpec.Load(Path.Combine(AppContext.BaseDirectory, "Examples", "branin.yaml"));
        Assert.Equal("branin", r.Name);
        Assert.Equal([Direction.Minimize], r.Directions);
        Assert.Equal(42UL, r.Sampler.Seed);
        Assert.Equal(10, r.Sampler.Tpe.NStartupTrials);
        Assert.Equal(5, r.Pruner.Percentile.NStartupTrials);
        Assert.Equal(50, r.Pruner.Percentile.Percentile);
        Assert.Equal(1, r.MaxRetries);
        Assert.Equal(["x1", "x2", "optimizer", "momentum"], r.SearchSpace.Params.Select(p => p.Name));
        Assert.Equal("sgd", r.SearchSpace.Params[3].Condition.Values[0].StringValue);
        Assert.Equal(-5, r.SearchSpace.Params[0].Float.Low);
    }

    [Fact]
    public void EveryExampleSpecReadsAndTheMiniLmOneSearchesLoraWithItsOwnLearningRate()
    {
        var examples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Examples"), "*.yaml");
        Assert.True(examples.Length >= 3, string.Join(", ", examples));
        foreach (var example in examples)
        {
            Assert.NotEmpty(StudySpec.LoadStages(example));
        }

        var minilm = StudySpec.Load(Path.Combine(AppContext.BaseDirectory, "Examples", "minilm-fortunes.yaml"));
        var byName = minilm.SearchSpace.Params.ToDictionary(p => p.Name);
        Assert.Equal(["full", "lora"], byName["method"].Categorical.Choices.Select(c => c.StringValue));
        Assert.Equal("full", byName["learning_rate"].Condition.Values.Single().StringValue);
        Assert.Equal("lora", byName["lora_learning_rate"].Condition.Values.Single().StringValue);
        Assert.True(byName["lora_learning_rate"].Float.Low > byName["learning_rate"].Float.High, "LoRA's range lies above full fine-tuning's");
        Assert.NotNull(minilm.Pruner.SuccessiveHalving);
        Assert.NotNull(minilm.Sampler.Tpe);
    }

    [Fact]
    public void JsonSpecsAndTypedChoicesWork()
    {
        var r = StudySpec.Parse("""
            {"name": "j", "directions": ["maximize", "minimize"], "sampler": {"type": "grid"},
             "pruner": {"type": "asha", "reduction_factor": 3},
             "params": [{"name": "c", "type": "categorical", "choices": [1, 2.5, "x", true, "7"]},
                        {"name": "n", "type": "int", "low": 1, "high": 64, "log": true}]}
            """);
        Assert.Equal([Direction.Maximize, Direction.Minimize], r.Directions);
        Assert.Equal(SamplerConfig.KindOneofCase.Grid, r.Sampler.KindCase);
        Assert.Equal(3, r.Pruner.SuccessiveHalving.ReductionFactor);
        var choices = r.SearchSpace.Params[0].Categorical.Choices;
        Assert.Equal(1, choices[0].IntValue);
        Assert.Equal(2.5, choices[1].FloatValue);
        Assert.Equal("x", choices[2].StringValue);
        Assert.True(choices[3].BoolValue);
        Assert.Equal("7", choices[4].StringValue);
        Assert.True(r.SearchSpace.Params[1].Int.Log);
    }

    [Fact]
    public void APbtSpecReadsEverySetting()
    {
        var r = StudySpec.Parse("""
            name: p
            directions: [maximize]
            pruner: {type: pbt, perturbation_interval: 2, quantile_fraction: 0.2, resample_probability: 0, burn_in: 1,
                     perturbation_factors: [1.5, 0.5], mutable_params: [lr, batch], population_size: 8}
            params: [{name: lr, type: float, low: 0.0001, high: 0.1, log: true}, {name: batch, type: int, low: 8, high: 64}]
            """);
        var pbt = r.Pruner.Pbt;
        Assert.Equal((2L, 0.2, 0.0, 1L), (pbt.PerturbationInterval, pbt.QuantileFraction, pbt.ResampleProbability, pbt.BurnIn));
        Assert.Equal([1.5, 0.5], pbt.PerturbationFactors);
        Assert.Equal(["lr", "batch"], pbt.MutableParams);
        Assert.Equal(8, pbt.PopulationSize);
    }

    [Fact]
    public void StagesAreStudiesOfTheSpecWithWhatEachReplaces()
    {
        var stages = StudySpec.ParseStages("""
            name: recipe
            directions: [maximize]
            sampler: {type: random, seed: 3}
            pruner: {type: asha, min_resource: 1}
            params: [{name: seed, type: int, low: 0, high: 1000}, {name: num_epochs, type: int, low: 2, high: 2}]
            stages:
              - {name: seeds, trials: 8}
              - {name: pbt, from_best: 3, pruner: {type: pbt}, params: [{name: num_epochs, type: int, low: 6, high: 6}, {name: lr, type: float, low: 0.001, high: 0.1}]}
            """);
        Assert.Equal(["recipe-seeds", "recipe-pbt"], stages.Select(s => s.Name));
        Assert.Equal(["recipe-seeds", "recipe-pbt"], stages.Select(s => s.Request.Name));
        Assert.Equal((8, 0), (stages[0].Trials!.Value, stages[0].FromBest));
        Assert.Equal(PrunerConfig.KindOneofCase.SuccessiveHalving, stages[0].Request.Pruner.KindCase);
        Assert.Equal((null, 3), (stages[1].Trials, stages[1].FromBest));
        // The promoted trials are the population unless the stage sizes it.
        Assert.Equal(3, stages[1].Request.Pruner.Pbt.PopulationSize);
        Assert.Equal(["seed", "num_epochs", "lr"], stages[1].Request.SearchSpace.Params.Select(p => p.Name));
        Assert.Equal(6, stages[1].Request.SearchSpace.Params[1].Int.Low);
        Assert.Equal(2, stages[0].Request.SearchSpace.Params[1].Int.Low);
        Assert.Equal(3UL, stages[1].Request.Sampler.Seed);
    }

    [Theory]
    [InlineData("stages: [{name: a, from_best: 2}]", "spec.stages[0].from_best: the first stage has no stage before it")]
    [InlineData("stages: [{name: a}, {name: b, trials: 0}]", "spec.stages[1].trials: must be >= 1")]
    [InlineData("stages: [{name: a, sampler: {type: tpe}, budget: 3}]", "spec.stages[0]: unknown key 'budget'; expected one of name, trials, from_best, sampler, pruner, params")]
    public void ABadStageIsNamed(string stages, string expected)
    {
        var e = Assert.Throws<SpecException>(() => StudySpec.ParseStages($"name: s\ndirections: [minimize]\nparams: [{{name: x, type: float, low: 0, high: 1}}]\n{stages}"));
        Assert.Equal(expected, e.Message);
        var single = Assert.Throws<SpecException>(() => StudySpec.Parse($"name: s\ndirections: [minimize]\nparams: [{{name: x, type: float, low: 0, high: 1}}]\n{stages}"));
        Assert.Contains("spec.stages: a spec with stages runs several studies, with 'grpctuner run'", single.Message);
    }

    [Theory]
    [InlineData("name: s\ndirections: [minimize]\nparams: [{name: x, type: float, low: 0, hihg: 1}]", "spec.params[0]: unknown key 'hihg'")]
    [InlineData("name: s\ndirections: [down]\nparams: []", "spec.directions[0]: 'down' is not minimize or maximize")]
    [InlineData("name: s\nparams: []", "spec.directions: is required")]
    [InlineData("name: s\ndirections: [minimize]\nparams: [{name: x, type: real}]", "spec.params[0].type: must be float, int or categorical")]
    [InlineData("name: s\ndirections: [minimize]\nparams: [{name: x, type: float, low: zero, high: 1}]", "spec.params[0].low: 'zero' is not a number")]
    [InlineData("name: [unclosed", "spec: not valid YAML or JSON")]
    public void BrokenSpecsNameThePlace(string text, string expected)
    {
        var e = Assert.Throws<SpecException>(() => StudySpec.Parse(text));
        Assert.StartsWith(expected, e.Message);
    }
}

/// <summary>README.md's spec example names every sampler and pruner a spec accepts, and each one it names is accepted.</summary>
public sealed class ReadmeSpecCommentTests
{
    [Fact]
    public void TheSamplerAndPrunerCommentsListExactlyWhatASpecAccepts()
    {
        var readme = File.ReadAllLines(Path.Combine(SharedData.RepositoryRoot, "README.md"));
        string[] Listed(string key) => readme.First(l => l.StartsWith($"{key}: {{type:", StringComparison.Ordinal)).Split('#')[1].Split('|').Select(s => s.Trim()).ToArray();
        var dir = Directory.CreateTempSubdirectory("readme-spec").FullName;
        try
        {
            SamplerConfig.KindOneofCase Sampler(string type) => Load(dir, $"sampler: {{type: {type}}}").Sampler.KindCase;
            PrunerConfig.KindOneofCase Pruner(string type) => Load(dir, $"pruner: {{type: {type}}}").Pruner.KindCase;
            var samplers = Listed("sampler").Select(Sampler).ToHashSet();
            var pruners = Listed("pruner").Select(Pruner).ToHashSet();
            Assert.Equal(Enum.GetValues<SamplerConfig.KindOneofCase>().Where(k => k != SamplerConfig.KindOneofCase.None).ToHashSet(), samplers);
            Assert.Equal(Enum.GetValues<PrunerConfig.KindOneofCase>().Where(k => k != PrunerConfig.KindOneofCase.None).ToHashSet(), pruners);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static CreateStudyRequest Load(string dir, string line)
    {
        var path = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(path, $"name: s\ndirections: [minimize]\n{line}\nparams:\n  - {{name: c, type: categorical, choices: [a, b]}}\n  - {{name: n, type: int, low: 1, high: 3}}\n");
        return StudySpec.Load(path);
    }
}
