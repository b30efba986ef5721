using GrpcTuner.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Tests;

/// <summary>The study the report and dashboard tests plot: three parameters of three kinds, learning curves, some trials pruned.</summary>
internal static class PlottedStudies
{
    public static CreateStudyRequest ThreeParams(string name, SamplerConfig sampler) => new()
    {
        Name = name,
        Directions = { Direction.Minimize },
        SearchSpace = new SearchSpace
        {
            Params =
            {
                new ParamSpec { Name = "lr", Float = new FloatDistribution { Low = 1e-4, High = 0.1, Log = true } },
                new ParamSpec { Name = "layers", Int = new IntDistribution { Low = 1, High = 6, Step = 1 } },
                new ParamSpec { Name = "opt", Categorical = new CategoricalDistribution { Choices = { new ParamValue { StringValue = "adam" }, new ParamValue { StringValue = "sgd" } } } },
            },
        },
        Sampler = sampler,
    };

    /// <summary>Runs trials that report <paramref name="steps"/> falling values each; every fifth is pruned, the others told their target.</summary>
    public static async Task RunAsync(TunerStudy study, int trials, int steps, Compute? compute = null)
    {
        for (var i = 0; i < trials; i++)
        {
            var trial = await study.AskAsync();
            trial.Compute = compute;
            var target = Math.Pow(Math.Log10(trial.Params["lr"].FloatValue) + 2.5, 2) + (trial.Params["opt"].StringValue == "sgd" ? 0.3 : 0);
            for (var step = 0; step < steps; step++)
            {
                await trial.ReportAsync(step, target + (2.0 / (step + 1)));
            }

            await (i % 5 == 4 ? study.TellAsync(trial, TrialState.Pruned) : study.TellAsync(trial, target));
        }
    }

    /// <summary>A PBT population of 8 that reports 4 steps with checkpoints, so that the weaker members exploit the stronger.</summary>
    public static async Task<TunerStudy> RunPbtAsync(TunerClient client, string name)
    {
        var study = await client.CreateStudyAsync(new CreateStudyRequest
        {
            Name = name,
            Directions = { Direction.Maximize },
            SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "lr", Float = new FloatDistribution { Low = 1e-4, High = 0.1, Log = true } } } },
            Sampler = new SamplerConfig { Seed = 5, Random = new RandomSamplerConfig() },
            Pruner = new PrunerConfig { Pbt = new PbtConfig { PerturbationInterval = 1, ResampleProbability = 0 } },
        });
        var members = await study.AskAsync(8);
        for (var step = 0; step < 4; step++)
        {
            foreach (var (m, i) in members.Select((m, i) => (m, i)))
            {
                await m.ReportAsync(step, i + step, $"/ck/{m.Number}/{step}");
            }
        }

        foreach (var m in members)
        {
            await study.TellAsync(m, m.Number);
        }

        return study;
    }
}
