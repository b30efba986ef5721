using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using GrpcTuner.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

/// <summary>Every kind of invalid request gets its documented status naming the field, and the server keeps serving.</summary>
[Collection(TwoReplicasCollection.Name)]
public sealed class BadInputTests(TwoReplicasFixture cluster) : IAsyncLifetime
{
    private const string S = "bad-input";

    private static readonly ParamValue Sgd = new() { StringValue = "sgd" };

    public async Task InitializeAsync()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "setup");
        var study = await client.CreateStudyAsync(Existing(_ => { }));
        if ((await study.TrialsAsync()).Count == 0)
        {
            var done = await study.AskAsync();
            await study.TellAsync(done, 1.0);
            await study.AskAsync();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string> Cases
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in Calls.Keys)
            {
                data.Add(name);
            }

            return data;
        }
    }

    private static readonly Dictionary<string, (StatusCode Code, string Field, Func<TunerService.TunerServiceClient, Task> Call)> Calls = new()
    {
        ["unknown study"] = (StatusCode.NotFound, "study 'no-such-study'", c => c.GetStudyAsync(new GetStudyRequest { Study = "no-such-study" }).ResponseAsync),
        ["ask on unknown study"] = (StatusCode.NotFound, "no-such-study", c => c.AskAsync(new AskRequest { Study = "no-such-study", WorkerId = "w" }).ResponseAsync),
        ["empty study name"] = (StatusCode.InvalidArgument, "study", c => c.GetStudyAsync(new GetStudyRequest()).ResponseAsync),
        ["low > high"] = (StatusCode.InvalidArgument, "search_space.params[0].float.high", c => Create(c, p => p.Float = new FloatDistribution { Low = 2, High = 1 })),
        ["log with low <= 0"] = (StatusCode.InvalidArgument, "search_space.params[0].float.low", c => Create(c, p => p.Float = new FloatDistribution { Low = 0, High = 1, Log = true })),
        ["step not dividing the range"] = (StatusCode.InvalidArgument, "search_space.params[0].float.step", c => Create(c, p => p.Float = new FloatDistribution { Low = 0, High = 1, Step = 0.3 })),
        ["int step not dividing"] = (StatusCode.InvalidArgument, "search_space.params[0].int.step", c => Create(c, p => p.Int = new IntDistribution { Low = 0, High = 10, Step = 3 })),
        ["NaN bound"] = (StatusCode.InvalidArgument, "search_space.params[0].float.low", c => Create(c, p => p.Float = new FloatDistribution { Low = double.NaN, High = 1 })),
        ["infinite bound"] = (StatusCode.InvalidArgument, "search_space.params[0].float.high", c => Create(c, p => p.Float = new FloatDistribution { Low = 0, High = double.PositiveInfinity })),
        ["empty categorical"] = (StatusCode.InvalidArgument, "search_space.params[0].categorical.choices", c => Create(c, p => p.Categorical = new CategoricalDistribution())),
        ["choice without a value"] = (StatusCode.InvalidArgument, "search_space.params[0].categorical.choices[0]", c => Create(c, p => p.Categorical = new CategoricalDistribution { Choices = { new ParamValue() } })),
        ["no distribution"] = (StatusCode.InvalidArgument, "search_space.params[0]", c => Create(c, _ => { })),
        ["conditional parameter whose parent is missing"] = (StatusCode.InvalidArgument, "search_space.params[0].condition.parent",
            c => Create(c, p => { p.Float = new FloatDistribution { Low = 0, High = 1 }; p.Condition = new Condition { Parent = "ghost", Values = { Sgd } }; })),
        ["duplicate parameter name"] = (StatusCode.InvalidArgument, "search_space.params[2].name",
            c => c.CreateStudyAsync(Request(r => r.SearchSpace.Params.Add(r.SearchSpace.Params[0].Clone()))).ResponseAsync),
        ["grid without a search space"] = (StatusCode.InvalidArgument, "search_space.params", c => c.CreateStudyAsync(Request(r =>
        {
            r.SearchSpace = null;
            r.Sampler = new SamplerConfig { Grid = new GridSamplerConfig() };
        })).ResponseAsync),
        ["no directions"] = (StatusCode.InvalidArgument, "directions", c => c.CreateStudyAsync(Request(r => r.Directions.Clear())).ResponseAsync),
        ["unknown direction enum"] = (StatusCode.InvalidArgument, "directions[0]", c => c.CreateStudyAsync(Request(r => r.Directions[0] = (Direction)7)).ResponseAsync),
        ["bad study name"] = (StatusCode.InvalidArgument, "name", c => c.CreateStudyAsync(Request(r => r.Name = "has space")).ResponseAsync),
        ["negative max_retries"] = (StatusCode.InvalidArgument, "max_retries", c => c.CreateStudyAsync(Request(r => r.MaxRetries = -1)).ResponseAsync),
        ["pruner with two objectives"] = (StatusCode.InvalidArgument, "pruner", c => c.CreateStudyAsync(Request(r =>
        {
            r.Directions.Add(Direction.Maximize);
            r.Pruner = new PrunerConfig { Percentile = new PercentilePrunerConfig() };
        })).ResponseAsync),
        ["grid float without step"] = (StatusCode.InvalidArgument, "search_space.params[0].float.step",
            c => c.CreateStudyAsync(Request(r => r.Sampler = new SamplerConfig { Grid = new GridSamplerConfig() })).ResponseAsync),
        ["name clash"] = (StatusCode.AlreadyExists, "bad-input", c => c.CreateStudyAsync(TwoReplicasFixture.Study(S)).ResponseAsync),
        ["NaN value"] = (StatusCode.InvalidArgument, "values[0]", c => Tell(c, 1, double.NaN)),
        ["infinite value"] = (StatusCode.InvalidArgument, "values[0]", c => Tell(c, 1, double.NegativeInfinity)),
        ["wrong number of values"] = (StatusCode.InvalidArgument, "values", c => Tell(c, 1, 1.0, 2.0)),
        ["values with FAIL"] = (StatusCode.InvalidArgument, "values", c => c.TellAsync(new TellRequest { Study = S, TrialNumber = 1, State = TrialState.Fail, Values = { 1.0 } }).ResponseAsync),
        ["unspecified state"] = (StatusCode.InvalidArgument, "state", c => c.TellAsync(new TellRequest { Study = S, TrialNumber = 1 }).ResponseAsync),
        ["unknown state enum"] = (StatusCode.InvalidArgument, "state", c => c.TellAsync(new TellRequest { Study = S, TrialNumber = 1, State = (TrialState)42 }).ResponseAsync),
        ["conflicting tell on a finished trial"] = (StatusCode.FailedPrecondition, "trial 0", c => Tell(c, 0, 5.0)),
        ["tell on an unknown trial"] = (StatusCode.NotFound, "trial 999", c => Tell(c, 999, 1.0)),
        ["negative trial number"] = (StatusCode.InvalidArgument, "trial_number", c => Tell(c, -1, 1.0)),
        ["oversized batch"] = (StatusCode.InvalidArgument, "count", c => c.AskAsync(new AskRequest { Study = S, WorkerId = "w", Count = 5000 }).ResponseAsync),
        ["negative count"] = (StatusCode.InvalidArgument, "count", c => c.AskAsync(new AskRequest { Study = S, WorkerId = "w", Count = -3 }).ResponseAsync),
        ["no worker id"] = (StatusCode.InvalidArgument, "worker_id", c => c.AskAsync(new AskRequest { Study = S }).ResponseAsync),
        ["lease too short"] = (StatusCode.InvalidArgument, "lease_duration",
            c => c.AskAsync(new AskRequest { Study = S, WorkerId = "w", LeaseDuration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(500)) }).ResponseAsync),
        ["report NaN"] = (StatusCode.InvalidArgument, "value", c => c.ReportAsync(new ReportRequest { Study = S, TrialNumber = 1, Value = double.NaN }).ResponseAsync),
        ["report negative step"] = (StatusCode.InvalidArgument, "step", c => c.ReportAsync(new ReportRequest { Study = S, TrialNumber = 1, Step = -1, Value = 1 }).ResponseAsync),
        ["report on a finished trial"] = (StatusCode.FailedPrecondition, "COMPLETE", c => c.ReportAsync(new ReportRequest { Study = S, TrialNumber = 0, Value = 1 }).ResponseAsync),
        ["heartbeat on a finished trial"] = (StatusCode.FailedPrecondition, "COMPLETE", c => c.HeartbeatAsync(new HeartbeatRequest { Study = S, TrialNumber = 0 }).ResponseAsync),
        ["enqueue out of range"] = (StatusCode.InvalidArgument, "params[x]", c => Enqueue(c, x: 50)),
        ["enqueue an invalid parameter name"] = (StatusCode.InvalidArgument, "params[z z]", c => Enqueue(c, extra: "z z")),
        ["enqueue wrong type"] = (StatusCode.InvalidArgument, "params[n]", c => Enqueue(c, nAsFloat: true)),
        ["enqueue conditional without its parent value"] = (StatusCode.InvalidArgument, "params[momentum]", c => Enqueue(c, extra: "momentum")),
        ["list page too large"] = (StatusCode.InvalidArgument, "page_size", c => c.ListTrialsAsync(new ListTrialsRequest { Study = S, PageSize = 100_000 }).ResponseAsync),
        ["list bad token"] = (StatusCode.InvalidArgument, "page_token", c => c.ListTrialsAsync(new ListTrialsRequest { Study = S, PageToken = "!!" }).ResponseAsync),
        ["list unknown state"] = (StatusCode.InvalidArgument, "states[0]", c => c.ListTrialsAsync(new ListTrialsRequest { Study = S, States = { (TrialState)9 } }).ResponseAsync),
        ["add no trials"] = (StatusCode.InvalidArgument, "trials", c => c.AddTrialsAsync(new AddTrialsRequest { Study = S }).ResponseAsync),
        ["add a running trial"] = (StatusCode.InvalidArgument, "trials[0].state", c => c.AddTrialsAsync(new AddTrialsRequest
        {
            Study = S, Trials = { new FrozenTrial { State = TrialState.Running, Params = { ["x"] = new ParamValue { FloatValue = 1 }, ["n"] = new ParamValue { IntValue = 1 }, ["opt"] = new ParamValue { StringValue = "adam" } } } },
        }).ResponseAsync),
        ["add a trial with 10,001 intermediate values"] = (StatusCode.InvalidArgument, "trials[0].intermediate_values: at most 10000", c => c.AddTrialsAsync(new AddTrialsRequest
        {
            Study = S,
            Trials =
            {
                new FrozenTrial
                {
                    State = TrialState.Pruned, Params = { ["x"] = new ParamValue { FloatValue = 1 }, ["n"] = new ParamValue { IntValue = 1 }, ["opt"] = new ParamValue { StringValue = "adam" } },
                    IntermediateValues = { Enumerable.Range(0, 10_001).Select(i => new IntermediateValue { Step = i, Value = i }) },
                },
            },
        }).ResponseAsync),
        ["get trial out of range"] = (StatusCode.NotFound, "trial 12345", c => c.GetTrialAsync(new GetTrialRequest { Study = S, TrialNumber = 12345 }).ResponseAsync),
        ["cmaes population of 2^31 - 1"] = (StatusCode.InvalidArgument, "sampler.cmaes.population_size", c => c.CreateStudyAsync(Request(r => r.Sampler = new SamplerConfig { Cmaes = new CmaEsSamplerConfig { PopulationSize = int.MaxValue } })).ResponseAsync),
        ["categorical of 100,000 choices"] = (StatusCode.InvalidArgument, "search_space.params[0].categorical.choices", c => Create(c, p => p.Categorical = new CategoricalDistribution { Choices = { Enumerable.Range(0, 100_000).Select(i => new ParamValue { IntValue = i }) } })),
        ["int range of all 64 bits"] = (StatusCode.InvalidArgument, "search_space.params[0].int", c => Create(c, p => p.Int = new IntDistribution { Low = long.MinValue, High = long.MaxValue })),
        ["float step of 1e-300"] = (StatusCode.InvalidArgument, "search_space.params[0].float.step", c => Create(c, p => p.Float = new FloatDistribution { Low = 0, High = 1, Step = 1e-300 })),
        ["load_if_exists with another space"] = (StatusCode.FailedPrecondition, "search_space.params[3]: stored { \"name\": \"momentum\"", c => c.CreateStudyAsync(Existing(r => r.SearchSpace.Params.RemoveAt(3))).ResponseAsync),
        ["load_if_exists with another pruner"] = (StatusCode.FailedPrecondition, "pruner: stored", c => c.CreateStudyAsync(Existing(r => r.Pruner = new PrunerConfig { Percentile = new PercentilePrunerConfig { Percentile = 50 } })).ResponseAsync),
        ["load_if_exists with another seed"] = (StatusCode.FailedPrecondition, "sampler: stored", c => c.CreateStudyAsync(Existing(r => r.Sampler.Seed = 2)).ResponseAsync),
    };

    [Fact]
    public async Task LoadIfExistsWithTheSameDefinitionAndNoSeedLoadsTheStudy()
    {
        using var channel = GrpcChannel.ForAddress(cluster.B.Address);
        var study = await new TunerService.TunerServiceClient(channel).CreateStudyAsync(Existing(r => r.Sampler.ClearSeed()));
        Assert.Equal(S, study.Name);
        Assert.Equal(1ul, study.Sampler.Seed);
    }

    /// <summary>The request that created <see cref="S"/>, changed.</summary>
    private static CreateStudyRequest Existing(Action<CreateStudyRequest> change)
    {
        var request = TwoReplicasFixture.Study(S);
        request.SearchSpace.Params.Add(new ParamSpec { Name = "opt", Categorical = new CategoricalDistribution { Choices = { new ParamValue { StringValue = "adam" }, Sgd } } });
        request.SearchSpace.Params.Add(new ParamSpec { Name = "momentum", Float = new FloatDistribution { Low = 0, High = 1 }, Condition = new Condition { Parent = "opt", Values = { Sgd } } });
        request.LoadIfExists = true;
        change(request);
        return request;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task InvalidRequestsGetTheirStatusNamingTheField(string name)
    {
        var (code, field, _) = Calls[name];
        using var channel = GrpcChannel.ForAddress(cluster.A.Address);
        var client = new TunerService.TunerServiceClient(channel);
        var e = await Assert.ThrowsAsync<RpcException>(() => Calls[name].Call(client));
        Assert.Equal(code, e.StatusCode);
        Assert.Contains(field, e.Status.Detail);
        if (code == StatusCode.InvalidArgument)
        {
            Assert.Contains(e.FieldViolations(), v => v.Field.StartsWith(field, StringComparison.Ordinal) || field.StartsWith(v.Field, StringComparison.Ordinal));
        }

        // The server keeps serving after every refusal.
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(S, (await client.GetStudyAsync(new GetStudyRequest { Study = S })).Name);
    }

    [Fact]
    public void AtLeastThirtyKindsOfInvalidRequestAreCovered() => Assert.True(Calls.Count >= 30, $"{Calls.Count} cases");

    private static CreateStudyRequest Request(Action<CreateStudyRequest> change)
    {
        var r = TwoReplicasFixture.Study($"fresh-{Guid.NewGuid():N}");
        change(r);
        return r;
    }

    private static Task Create(TunerService.TunerServiceClient c, Action<ParamSpec> shape) => c.CreateStudyAsync(Request(r =>
    {
        var p = new ParamSpec { Name = "p" };
        shape(p);
        r.SearchSpace.Params.Clear();
        r.SearchSpace.Params.Add(p);
    })).ResponseAsync;

    private static Task Tell(TunerService.TunerServiceClient c, long number, params double[] values) =>
        c.TellAsync(new TellRequest { Study = S, TrialNumber = number, State = TrialState.Complete, Values = { values } }).ResponseAsync;

    private static Task Enqueue(TunerService.TunerServiceClient c, double x = 1, string? extra = null, bool nAsFloat = false)
    {
        var r = new EnqueueTrialRequest
        {
            Study = S,
            Params =
            {
                ["x"] = new ParamValue { FloatValue = x },
                ["n"] = nAsFloat ? new ParamValue { FloatValue = 2 } : new ParamValue { IntValue = 2 },
                ["opt"] = new ParamValue { StringValue = "adam" },
            },
        };
        if (extra is not null)
        {
            r.Params[extra] = new ParamValue { FloatValue = 0.5 };
        }

        return c.EnqueueTrialAsync(r).ResponseAsync;
    }
}
