using GrpcTuner.Client;
using GrpcTuner.Core.Domain;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using Wire = GrpcTuner.V1;

namespace GrpcTuner.Benchmarks.Quality;

/// <summary>
/// Our TPE through define-by-run, as an Optuna user's objective meets it: a study with no declared
/// space on a real server (Kestrel, HTTP/2, embedded store), each trial's objective suggesting every
/// parameter that is active under the values it got so far, in the problem's order, through the .NET SDK.
/// </summary>
internal static class DefineByRunRuns
{
    public static List<List<(IReadOnlyDictionary<string, ParamValue> Params, double Value)>> Run(QualityProblem problem, Func<ulong, SamplerSettings> settings, int seeds, int trials)
    {
        return RunAsync().GetAwaiter().GetResult();

        async Task<List<List<(IReadOnlyDictionary<string, ParamValue>, double)>>> RunAsync()
        {
            await using var server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true });
            var runs = new List<(IReadOnlyDictionary<string, ParamValue>, double)>[seeds];
            await Parallel.ForAsync(0, seeds, async (seed, ct) =>
            {
                using var client = server.Client(new TunerClientOptions { WorkerId = "quality", MaxAttempts = 1 });
                var study = await client.CreateStudyAsync(new Wire.CreateStudyRequest
                {
                    Name = $"dbr-{Guid.NewGuid():N}",
                    Directions = { problem.Direction == Direction.Minimize ? Wire.Direction.Minimize : Wire.Direction.Maximize },
                    Sampler = Sampler(settings((ulong)seed)),
                }, ct);
                var run = new List<(IReadOnlyDictionary<string, ParamValue>, double)>(trials);
                await study.OptimizeAsync(async (trial, token) =>
                {
                    var chosen = new Dictionary<string, ParamValue>(StringComparer.Ordinal);
                    foreach (var spec in problem.Space.Params.Where(spec => SearchSpace.IsActive(spec, chosen)))
                    {
                        chosen[spec.Name] = FromWire(await trial.SuggestAsync(spec.Name, ToWire(spec.Distribution), token));
                    }

                    var value = problem.F(chosen);
                    run.Add((chosen, value));
                    return value;
                }, trials, concurrency: 1, ct);
                runs[seed] = run;
            });
            return [.. runs];
        }
    }

    private static Wire.SamplerConfig Sampler(SamplerSettings s) => s.Kind switch
    {
        SamplerKind.Tpe => new Wire.SamplerConfig { Seed = s.Seed, Tpe = new Wire.TpeSamplerConfig { Multivariate = s.TpeOrDefault.Multivariate } },
        SamplerKind.Random => new Wire.SamplerConfig { Seed = s.Seed, Random = new Wire.RandomSamplerConfig() },
        _ => throw new ArgumentException($"define-by-run quality runs TPE or random, not {s.Kind}"),
    };

    private static Wire.Distribution ToWire(Distribution d) => d switch
    {
        FloatDistribution f => new Wire.Distribution { Float = f.Step is { } step ? new Wire.FloatDistribution { Low = f.Low, High = f.High, Log = f.Log, Step = step } : new Wire.FloatDistribution { Low = f.Low, High = f.High, Log = f.Log } },
        IntDistribution i => new Wire.Distribution { Int = new Wire.IntDistribution { Low = i.Low, High = i.High, Log = i.Log, Step = i.Step } },
        CategoricalDistribution c => new Wire.Distribution { Categorical = new Wire.CategoricalDistribution { Choices = { c.Choices.Select(ToWire) } } },
        _ => throw new ArgumentException($"distribution {d}"),
    };

    private static Wire.ParamValue ToWire(ParamValue v) => v.Kind switch
    {
        ParamKind.Float => new Wire.ParamValue { FloatValue = v.AsFloat },
        ParamKind.Int => new Wire.ParamValue { IntValue = v.AsInt },
        ParamKind.String => new Wire.ParamValue { StringValue = v.AsString },
        _ => new Wire.ParamValue { BoolValue = v.AsBool },
    };

    private static ParamValue FromWire(Wire.ParamValue v) => v.KindCase switch
    {
        Wire.ParamValue.KindOneofCase.FloatValue => ParamValue.Of(v.FloatValue),
        Wire.ParamValue.KindOneofCase.IntValue => ParamValue.Of(v.IntValue),
        Wire.ParamValue.KindOneofCase.StringValue => ParamValue.Of(v.StringValue),
        _ => ParamValue.Of(v.BoolValue),
    };
}
