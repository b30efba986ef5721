using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Benchmarks.Quality;

/// <summary>
/// Optuna 3.1 in a Python process (Peers/optuna_driver.py), asked for each trial and told the
/// value our side computes, so both tuners meet exactly the same objective functions.
/// </summary>
internal sealed class OptunaDriver : IDisposable
{
    private readonly Process _process;

    public OptunaDriver()
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Peers", "optuna_driver.py")])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false,
        };
        psi.Environment.Remove("OPENBLAS_CORETYPE");
        psi.Environment.Remove("OPENBLAS_L2_SIZE");
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start /usr/bin/python3 (install python3-optuna)");
    }

    /// <summary>The values of one Optuna study's trials, in order.</summary>
    public List<(IReadOnlyDictionary<string, ParamValue> Params, double Value)> Run(QualityProblem problem, string sampler, int seed, int trials)
    {
        var request = new JsonObject
        {
            ["space"] = new JsonArray(problem.Space.Params.Select(Spec).ToArray()),
            ["direction"] = problem.Direction == Direction.Minimize ? "minimize" : "maximize",
            ["sampler"] = sampler,
            ["seed"] = seed,
            ["trials"] = trials,
        };
        _process.StandardInput.WriteLine(request.ToJsonString());
        var history = new List<(IReadOnlyDictionary<string, ParamValue>, double)>(trials);
        for (var i = 0; i < trials; i++)
        {
            var line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the Optuna driver stopped (needs python3-optuna)");
            var ps = JsonNode.Parse(line)!["params"]!.AsObject().ToDictionary(kv => kv.Key, kv => Value(problem.Space.Find(kv.Key)!.Distribution, kv.Value!));
            var value = problem.F(ps);
            _process.StandardInput.WriteLine(new JsonObject { ["value"] = value }.ToJsonString());
            history.Add((ps, value));
        }

        _ = _process.StandardOutput.ReadLine();
        return history;
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        _process.WaitForExit();
        _process.Dispose();
    }

    private static JsonNode Spec(ParamSpec p)
    {
        var o = new JsonObject { ["name"] = p.Name };
        switch (p.Distribution)
        {
            case FloatDistribution f:
                (o["type"], o["low"], o["high"], o["log"]) = ("float", f.Low, f.High, f.Log);
                if (f.Step is { } step)
                {
                    o["step"] = step;
                }

                break;
            case IntDistribution i:
                (o["type"], o["low"], o["high"], o["log"], o["step"]) = ("int", i.Low, i.High, i.Log, i.Step);
                break;
            case CategoricalDistribution c:
                o["type"] = "categorical";
                o["choices"] = new JsonArray(c.Choices.Select(Json).ToArray());
                break;
        }

        if (p.Condition is { } cond)
        {
            o["parent"] = cond.Parent;
            o["when"] = new JsonArray(cond.Values.Select(Json).ToArray());
        }

        return o;
    }

    private static JsonNode? Json(ParamValue v) => v.Kind switch
    {
        ParamKind.Float => v.AsFloat,
        ParamKind.Int => v.AsInt,
        ParamKind.Bool => v.AsBool,
        _ => v.AsString,
    };

    private static ParamValue Value(Distribution d, JsonNode node) => d switch
    {
        FloatDistribution => ParamValue.Of((double)node),
        IntDistribution => ParamValue.Of((long)node),
        CategoricalDistribution c => c.Choices.First(choice => JsonNode.DeepEquals(Json(choice), node)),
        _ => throw new ArgumentException($"distribution {d}"),
    };
}
