using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Tests;

/// <summary>The grpctuner commands against a real server on the embedded store. Console output is global, so these run one at a time.</summary>
[Collection("console")]
public sealed class CliEndToEndTests : IAsyncLifetime
{
    private ServerReplica _server = null!;

    public async Task InitializeAsync() => _server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ListHasAHeaderAndCountsShowSaysNoTrialsAndDeleteNeedsConfirmation()
    {
        var spec = Path.Combine(AppContext.BaseDirectory, "Examples", "branin.yaml");
        Assert.Equal(0, (await CliRunner.RunAsync("study", "create", "--spec", spec, "--server", _server.Address)).Code);
        var (clash, _, clashError) = await CliRunner.RunAsync("study", "create", "--spec", spec, "--server", _server.Address);
        Assert.Equal(1, clash);
        Assert.Contains("study 'branin' already exists; to use it, set load_if_exists (--load-if-exists in the CLI", clashError);
        var (code, output, _) = await CliRunner.RunAsync("study", "show", "branin", "--server", _server.Address);
        Assert.Equal(0, code);
        Assert.Contains("trials: none yet", output);
        Assert.DoesNotContain("()", output);

        (code, output, _) = await CliRunner.RunAsync("study", "list", "--server", _server.Address);
        Assert.Equal(0, code);
        var lines = output.Trim().Split('\n');
        Assert.Equal("name\tsampler\tdirections\ttrials\tby state\tcreated", lines[0]);
        Assert.StartsWith("branin\ttpe\tminimize\t0\t-\t", lines[1]);

        // Tests run with input redirected: no terminal to ask on, so --yes is required.
        (code, _, var error) = await CliRunner.RunAsync("study", "delete", "branin", "--server", _server.Address);
        Assert.Equal(1, code);
        Assert.Equal("error: deleting 'branin' cannot be undone: add --yes to confirm", error.Trim());
        (code, output, _) = await CliRunner.RunAsync("study", "delete", "branin", "--yes", "--server", _server.Address);
        Assert.Equal(0, code);
        Assert.Equal("deleted study 'branin'", output.Trim());
        (code, output, _) = await CliRunner.RunAsync("study", "list", "--server", _server.Address);
        Assert.Equal("no studies", output.Trim());
    }

    [Fact]
    public async Task ADefineByRunStudysSuggestedParametersShowInItsExports()
    {
        using var client = _server.Client(new GrpcTuner.Client.TunerClientOptions { WorkerId = "w" });
        var study = await client.CreateStudyAsync(new CreateStudyRequest { Name = "dbr-cli", Directions = { Direction.Minimize } });
        await study.OptimizeAsync(async (trial, ct) =>
        {
            var layers = await trial.SuggestIntAsync("layers", 1, 3, ct: ct);
            // A range that depends on an earlier value: the exports cover every range seen.
            return layers + await trial.SuggestIntAsync("width", layers, 4 * layers, ct: ct) + await trial.SuggestFloatAsync("lr", 1e-4, 1e-1, log: true, ct: ct);
        }, nTrials: 6);

        var csv = Path.GetTempFileName();
        var (code, _, _) = await CliRunner.RunAsync("export", "dbr-cli", "--format", "csv", "-o", csv, "--server", _server.Address);
        Assert.Equal(0, code);
        var lines = await File.ReadAllLinesAsync(csv);
        Assert.StartsWith("number,state,value_0,param_layers,param_lr,param_width,", lines[0]);
        Assert.Equal(7, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.All(l.Split(',').Take(6), cell => Assert.NotEmpty(cell)));
        File.Delete(csv);
    }

    [Fact]
    public async Task CreateShowAndExportAStudy()
    {
        var spec = Path.Combine(AppContext.BaseDirectory, "Examples", "branin.yaml");
        var (code, output, error) = await CliRunner.RunAsync("study", "create", "--spec", spec, "--server", _server.Address);
        Assert.Equal(0, code);
        Assert.Contains("study 'branin'", output);

        using var client = _server.Client(new GrpcTuner.Client.TunerClientOptions { WorkerId = "w" });
        var study = await client.LoadStudyAsync("branin");
        var trial = await study.AskAsync();
        trial.Compute = new Compute { WallSeconds = 90, CpuSeconds = 30, DeviceKind = "cuda", DeviceCount = 2, Samples = 6000, Epochs = 3 };
        await study.TellAsync(trial, 1.5);

        (code, output, _) = await CliRunner.RunAsync("study", "show", "branin", "--server", _server.Address);
        Assert.Equal(0, code);
        Assert.Contains("trials: 1 (complete 1)", output);
        Assert.Contains("compute: 1.5 min wall, 0.5 CPU-min, 6000 samples, 3 epochs, up to 2 devices a trial", output);
        Assert.Contains("best: trial 0 values [1.5]", output);

        var csv = Path.GetTempFileName();
        (code, _, _) = await CliRunner.RunAsync("export", "branin", "--format", "csv", "-o", csv, "--server", _server.Address);
        Assert.Equal(0, code);
        var lines = await File.ReadAllLinesAsync(csv);
        Assert.Equal("number,state,value_0,param_x1,param_x2,param_optimizer,param_momentum,wall_seconds,cpu_seconds,device,samples,epochs,worker_id,retried_from,reason,start_time,complete_time", lines[0]);
        Assert.Contains(",90,30,cudax2,6000,3,w,", lines[1]);
        Assert.StartsWith("0,complete,1.5,", lines[1]);

        (code, output, _) = await CliRunner.RunAsync("export", "branin", "--format", "json", "--server", _server.Address);
        Assert.Equal(0, code);
        // Plain JSON: number always present (trial 0 too), states as the other exports write them, params as JSON numbers.
        var exported = System.Text.Json.JsonDocument.Parse(output).RootElement[0];
        Assert.Equal(0, exported.GetProperty("number").GetInt64());
        Assert.Equal("complete", exported.GetProperty("state").GetString());
        Assert.Equal(1.5, exported.GetProperty("values")[0].GetDouble());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, exported.GetProperty("params").GetProperty("x1").ValueKind);
        File.Delete(csv);

        var parquet = Path.GetTempFileName();
        (code, _, _) = await CliRunner.RunAsync("export", "branin", "--format", "parquet", "-o", parquet, "--server", _server.Address);
        Assert.Equal(0, code);
        await using (var reader = await Parquet.ParquetReader.CreateAsync(parquet))
        {
            var fields = reader.Schema.GetDataFields();
            Assert.Equal(lines[0], string.Join(",", fields.Select(f => f.Name)));
            using var group = reader.OpenRowGroupReader(0);
            Assert.Equal(1, group.RowCount);
            var numbers = new long?[1];
            var values = new double?[1];
            var x1 = new double?[1];
            var optimizer = new string?[1];
            await group.ReadAsync<long>(fields.Single(f => f.Name == "number"), numbers);
            await group.ReadAsync<double>(fields.Single(f => f.Name == "value_0"), values);
            await group.ReadAsync<double>(fields.Single(f => f.Name == "param_x1"), x1);
            await group.ReadAsync(fields.Single(f => f.Name == "param_optimizer"), optimizer.AsMemory());
            Assert.Equal(0, numbers[0]);
            Assert.Equal(1.5, values[0]);
            Assert.Equal(trial.Params["x1"].FloatValue, x1[0]);
            Assert.Equal(trial.Params["optimizer"].StringValue, optimizer[0]);
        }

        (code, _, error) = await CliRunner.RunAsync("export", "branin", "--format", "parquet", "--server", _server.Address);
        Assert.Equal(1, code);
        Assert.Equal("error: --output: Parquet is binary; name a file to write", error.Trim());
        File.Delete(parquet);
    }

    [Fact]
    public async Task RefusalsGiveOneClearLineAndExitCodeOne()
    {
        var spec = Path.GetTempFileName();
        await File.WriteAllTextAsync(spec, "name: bad\ndirections: [minimize]\nparams: [{name: x, type: float, low: 2, high: 1}]");
        var (code, _, error) = await CliRunner.RunAsync("study", "create", "--spec", spec, "--server", _server.Address);
        Assert.Equal(1, code);
        Assert.Equal("error: InvalidArgument: search_space.params[0].float.high: must be >= low (2), got 1", error.Trim());

        (code, _, error) = await CliRunner.RunAsync("study", "show", "missing", "--server", _server.Address);
        Assert.Equal(1, code);
        Assert.Equal("error: NotFound: study 'missing' does not exist", error.Trim());
        File.Delete(spec);
    }

    [Fact]
    public async Task APipelineRunWritesTheBestTrialAndABrokenSpecFailsWithOneLine()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-").FullName;
        var spec = Path.Combine(dir, "study.yaml");
        await File.WriteAllTextAsync(spec, "name: pipeline\ndirections: [minimize]\nsampler: {type: random, seed: 4}\nparams:\n  - {name: x, type: float, low: -3, high: 3}\n");
        var best = Path.Combine(dir, "best.json");

        // A worker elsewhere runs the trials; the pipeline only waits for the budget.
        var worker = Task.Run(async () =>
        {
            using var client = _server.Client(new GrpcTuner.Client.TunerClientOptions { WorkerId = "pipeline-worker" });
            GrpcTuner.Client.TunerStudy? study = null;
            while (study is null)
            {
                try
                {
                    study = await client.LoadStudyAsync("pipeline");
                }
                catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
                {
                    await Task.Delay(50);
                }
            }

            for (var i = 0; i < 5; i++)
            {
                var trial = await study.AskAsync();
                await study.TellAsync(trial, Math.Pow(trial.GetDouble("x") - 1, 2));
            }
        });
        var (code, output, _) = await CliRunner.RunAsync("run", "--spec", spec, "--server", _server.Address, "--trials", "5", "--timeout", "00:01:00", "--output", best);
        await worker;
        Assert.Equal(0, code);
        Assert.Contains("best: trial", output);

        using var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(best));
        using var client = _server.Client();
        var expected = (await client.Raw.GetBestTrialsAsync(new GetBestTrialsRequest { Study = "pipeline" })).Trials.Single();
        var written = json.RootElement.GetProperty("best")[0];
        Assert.Equal(expected.Number, written.GetProperty("number").GetInt64());
        Assert.Equal(expected.Values[0], written.GetProperty("values")[0].GetDouble());
        Assert.Equal(expected.Params["x"].FloatValue, written.GetProperty("params").GetProperty("x").GetDouble());

        await File.WriteAllTextAsync(spec, "name: pipeline\ndirections: [sideways]\nparams: []\n");
        var (brokenCode, _, error) = await CliRunner.RunAsync("run", "--spec", spec, "--server", _server.Address);
        Assert.Equal(1, brokenCode);
        Assert.Equal($"error: {spec}.directions[0]: 'sideways' is not minimize or maximize", error.Trim());
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task CoverageBasedSearchOnHpoBenchNearlyReachesTheUpperBound()
    {
        var (code, output, _) = await CliRunner.RunAsync("cbs", "loo", "--tables", SharedData.HpoBenchTables, "--k", "4");
        Assert.Equal(0, code);
        var fractions = output.Split('\n').Single(l => l.StartsWith("| mean (fraction of best score)", StringComparison.Ordinal))
            .Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var (cbs4, fallback) = (fractions[3], fractions[4]);
        Assert.True(cbs4 >= 0.99, $"CBS_4 reaches {cbs4} of the upper bound");
        Assert.True(cbs4 > fallback + 0.03, $"CBS_4 {cbs4} should be well above the default {fallback}");
        Assert.True(fractions[0] <= fractions[1] && fractions[1] <= fractions[2] && fractions[2] <= cbs4, "more recommendations never hurt");
    }

    [Fact]
    public async Task WatchPrintsOneJsonLinePerChangeAndExitsOnceEnoughTrialsFinished()
    {
        using var client = _server.Client(new GrpcTuner.Client.TunerClientOptions { WorkerId = "watched" });
        var study = await client.CreateStudyAsync(new CreateStudyRequest
        {
            Name = "watched",
            Directions = { Direction.Minimize },
            SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "x", Float = new FloatDistribution { Low = 0, High = 1 } } } },
        });
        var before = await study.AskAsync();
        await study.TellAsync(before, 0.5);

        var printed = new StringWriter();
        var watch = CliRunner.RunAsync(TextWriter.Synchronized(printed), "watch", "watched", "--until", "3", "--json", "--timeout", "00:00:30", "--server", _server.Address);
        while (!printed.ToString().Contains('\n', StringComparison.Ordinal))
        {
            await Task.Delay(20); // the snapshot is out: every later change is streamed as it happens
        }

        var values = new List<double> { 0.5 };
        for (var i = 0; i < 2; i++)
        {
            var trial = await study.AskAsync();
            await trial.ReportAsync(0, 0.9);
            values.Add(0.1 * (i + 1));
            await study.TellAsync(trial, values[^1]);
        }

        var (code, _, error) = await watch;
        var output = printed.ToString();
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        // The snapshot (one complete trial), then each later trial asked, reported and told: three changes each,
        // of which those that reach the server between two polls of the stream come as one line with the latest.
        Assert.InRange(lines.Count, 1 + 2, 1 + (2 * 3));
        Assert.Equal("complete", lines[0].GetProperty("trial").GetProperty("state").GetString());
        foreach (var number in new[] { 1L, 2L })
        {
            var ofTrial = lines.Where(l => l.GetProperty("trial").GetProperty("number").GetInt64() == number).ToList();
            Assert.InRange(ofTrial.Count, 1, 3);
            Assert.Equal("complete", ofTrial[^1].GetProperty("trial").GetProperty("state").GetString());
            Assert.Equal(1, ofTrial[^1].GetProperty("trial").GetProperty("steps").GetInt32());
        }

        var cursors = lines.Skip(1).Select(l => long.Parse(l.GetProperty("cursor").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(cursors.Order(), cursors);
        var last = lines[^1];
        Assert.Equal(3, last.GetProperty("finished").GetInt32());
        Assert.Equal(3, last.GetProperty("counts").GetProperty("complete").GetInt32());
        Assert.Equal(values.Min(), last.GetProperty("best").GetProperty("value").GetDouble());
        Assert.NotEmpty(last.GetProperty("cursor").GetString()!);

        (code, _, error) = await CliRunner.RunAsync("watch", "watched", "--until", "5", "--json", "--timeout", "00:00:01", "--server", _server.Address);
        Assert.Equal(1, code);
        Assert.Equal("error: --timeout: 3 of 5 trials finished in time", error.Trim());
    }
}
