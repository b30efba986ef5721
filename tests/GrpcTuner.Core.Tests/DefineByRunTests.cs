using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;

namespace GrpcTuner.Core.Tests;

public sealed class DefineByRunTests
{
    private static readonly FloatDistribution Lr = new(1e-5, 1e-1, Log: true);
    private static readonly CategoricalDistribution Opt = new([ParamValue.Of("adam"), ParamValue.Of("sgd")]);

    [Fact]
    public void TheIntersectionSpaceHoldsWhatEveryCompleteTrialHasWithOneDistribution()
    {
        var history = new[]
        {
            Suggested(0, TrialState.Complete, ("lr", Lr, ParamValue.Of(0.01)), ("opt", Opt, ParamValue.Of("adam")), ("m", new FloatDistribution(0, 1), ParamValue.Of(0.5))),
            Suggested(1, TrialState.Complete, ("lr", Lr, ParamValue.Of(0.001)), ("opt", Opt, ParamValue.Of("sgd")), ("m", new FloatDistribution(0, 2), ParamValue.Of(0.5))),
            // Running and failed trials do not narrow it.
            Suggested(2, TrialState.Running, ("lr", Lr, ParamValue.Of(0.02))),
            Suggested(3, TrialState.Fail),
        };
        var shared = IntersectionSearchSpace.Of(history);
        Assert.Equal(["lr", "opt"], shared.Select(p => p.Name).ToArray());
        Assert.Equal(Lr, shared[0].Distribution);
        Assert.Empty(IntersectionSearchSpace.Of(history.Append(Suggested(4, TrialState.Complete, ("x", Lr, ParamValue.Of(0.01)))).ToList()));
    }

    [Fact]
    public void ARecordedNameAnswersItsDistributionAndRefusesAnotherNamingBoth()
    {
        var space = Build.Space(Build.Float("declared", 0, 1));
        var trial = SuggestTransitions.Record(Running(0) with { Params = new Dictionary<string, ParamValue> { ["declared"] = ParamValue.Of(0.5) } }, "lr", Lr, ParamValue.Of(0.01));
        Assert.Equal(ParamValue.Of(0.01), SuggestTransitions.Recorded("s", trial, space, "lr", Lr));
        Assert.Null(SuggestTransitions.Recorded("s", trial, space, "wd", Lr));
        Assert.Equal(ParamValue.Of(0.5), SuggestTransitions.Recorded("s", trial, space, "declared", new FloatDistribution(0, 1)));

        var e = Assert.Throws<TunerException>(() => SuggestTransitions.Recorded("s", trial, space, "lr", new FloatDistribution(0, 1)));
        Assert.Equal(ErrorKind.FailedPrecondition, e.Kind);
        Assert.Contains("float in [1E-05, 0.1] log", e.Message);
        Assert.Contains("float in [0, 1]", e.Message);
        e = Assert.Throws<TunerException>(() => SuggestTransitions.Recorded("s", trial, space, "declared", new FloatDistribution(0, 2)));
        Assert.Contains("declared in the search space of study 's' as float in [0, 1]", e.Message);
        // A grid's point answers a suggest_float that contains it, as Optuna's GridSampler does.
        var grid = Running(1) with { Params = new Dictionary<string, ParamValue> { ["declared"] = ParamValue.Of(0.5) } };
        Assert.Equal(ParamValue.Of(0.5), SuggestTransitions.Recorded("s", grid, space, "declared", new FloatDistribution(0, 2), grid: true));
    }

    [Fact]
    public void TakenProposalsMustFitAndEnqueuedOnesFitAnyDistributionThatContainsThem()
    {
        var trial = Running(0) with
        {
            Proposals = new Dictionary<string, Proposal> { ["lr"] = new(ParamValue.Of(0.01), Lr), ["n"] = new(ParamValue.Of(3L), null) },
        };
        var taken = SuggestTransitions.Take("s", trial, Build.Space(), new Dictionary<string, Distribution> { ["lr"] = Lr, ["n"] = new IntDistribution(1, 5) });
        Assert.Equal(ParamValue.Of(0.01), taken.Params["lr"]);
        Assert.Equal(ParamValue.Of(3L), taken.Params["n"]);
        Assert.Empty(taken.Proposals);
        Assert.Equal(new IntDistribution(1, 5), taken.Distributions["n"]);

        var e = Assert.Throws<TunerException>(() => SuggestTransitions.Take("s", trial, Build.Space(), new Dictionary<string, Distribution> { ["lr"] = new FloatDistribution(0, 1) }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("suggested[lr]", e.Message);
        Assert.Throws<TunerException>(() => SuggestTransitions.Take("s", trial, Build.Space(), new Dictionary<string, Distribution> { ["n"] = new IntDistribution(4, 5) }));
    }

    [Fact]
    public void ARerunKeepsDeclaredParamsAndProposesTheSuggestedOnesWithTheirDistributions()
    {
        var trial = SuggestTransitions.Record(Running(4) with { Params = new Dictionary<string, ParamValue> { ["x"] = ParamValue.Of(1.0) } }, "lr", Lr, ParamValue.Of(0.01));
        var rerun = TrialTransitions.Rerun(trial);
        Assert.Equal(["x"], rerun.Params.Keys.ToArray());
        Assert.Equal(new Proposal(ParamValue.Of(0.01), Lr), rerun.Proposals["lr"]);
        Assert.Equal(4, rerun.RetriedFrom);
    }

    [Fact]
    public void AnIndependentSuggestionIsDeterministicInsideItsDistributionAndTpeLearnsFromTheTrialsThatHaveIt()
    {
        var study = Build.Study(Build.Space(), seed: 3, tpe: new TpeOptions(NStartupTrials: 5));
        var x = new FloatDistribution(0, 10);
        // The good trials all sit near 2; trials without x, or with a value x does not contain, inform nothing.
        var history = Enumerable.Range(0, 30).Select(i => Suggested(i, TrialState.Complete, ("x", x, ParamValue.Of(i % 2 == 0 ? 2 + (i * 0.01) : 8 - (i * 0.01)))) with { Values = [i % 2 == 0 ? 0.0 : 1.0] })
            .Append(Suggested(30, TrialState.Complete, ("x", new FloatDistribution(0, 100), ParamValue.Of(50.0))) with { Values = [-1.0] })
            .Append(Running(31))
            .ToList();
        var values = Enumerable.Range(0, 20).Select(n => IndependentSuggestion.Choose(study, 100 + n, "x", x, history)).ToList();
        Assert.Equal(values, Enumerable.Range(0, 20).Select(n => IndependentSuggestion.Choose(study, 100 + n, "x", x, history)).ToList());
        Assert.All(values, v => Assert.True(x.Contains(v)));
        Assert.True(values.Count(v => Math.Abs(v.AsFloat - 2) < 1.5) >= 14, $"TPE should sample near the good trials: {string.Join(", ", values)}");

        var random = Build.Study(Build.Space(), SamplerKind.Random, seed: 3);
        Assert.All(Enumerable.Range(0, 50).Select(n => IndependentSuggestion.Choose(random, n, "opt", Opt, history)), v => Assert.True(Opt.Contains(v)));
    }

    [Theory]
    [InlineData(SamplerKind.Random)]
    [InlineData(SamplerKind.Tpe)]
    [InlineData(SamplerKind.Gp)]
    [InlineData(SamplerKind.CmaEs)]
    [InlineData(SamplerKind.Nsga2)]
    public void EveryFreeSamplerSamplesTheExtendedSpaceInsideItsDistributions(SamplerKind kind)
    {
        var x = new FloatDistribution(-5, 5);
        var history = Enumerable.Range(0, 40)
            .Select(i => Suggested(i, TrialState.Complete, ("x", x, ParamValue.Of((i % 10) - 4.5)), ("opt", Opt, Opt.Choices[i % 2])) with { Values = [Math.Abs((i % 10) - 4.5)] })
            .ToList();
        var study = Build.Study(Build.Space(), kind, seed: 9);
        var space = IntersectionSearchSpace.Extend(study.Space, IntersectionSearchSpace.Of(history));
        var sampler = SamplerFactory.Create(SamplerFactory.Extended(study, space)).Free!;
        for (var i = 0; i < 10; i++)
        {
            var sample = sampler.Sample(history, Rng.For(9, "w", history.Count, i));
            Assert.True(x.Contains(sample["x"]) && Opt.Contains(sample["opt"]), $"{kind}: {string.Join(", ", sample)}");
        }
    }

    private static Trial Running(long number) => new() { Number = number, Params = Trial.EmptyParams, State = TrialState.Running, WorkerId = "w" };

    private static Trial Suggested(long number, TrialState state, params (string Name, Distribution Distribution, ParamValue Value)[] ps) => new()
    {
        Number = number,
        State = state,
        Params = ps.ToDictionary(p => p.Name, p => p.Value),
        Distributions = ps.ToDictionary(p => p.Name, p => p.Distribution),
        Values = state == TrialState.Complete ? [0.0] : [],
    };
}
