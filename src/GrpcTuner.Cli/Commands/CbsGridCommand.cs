using System.CommandLine;
using GrpcTuner.Agent.Tasks;
using GrpcTuner.Cli.Exports;
using GrpcTuner.Cli.Specs;
using GrpcTuner.Client;
using GrpcTuner.Core.Samplers;
using GrpcTuner.Core.Validation;
using GrpcTuner.Server.Mapping;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Commands;

/// <summary>
/// <c>grpctuner cbs grid</c>: the paper's own setting. One grid study per data set (a task file
/// each) over the spec's space, run by trainer agents, and the results table that <c>cbs recommend</c>
/// and <c>cbs loo</c> read: one CSV per data set (a column per parameter and the score), and a
/// manifest.yaml with the direction.
/// </summary>
internal static class CbsGridCommand
{
    public static Command Create()
    {
        var spec = new Option<string>("--spec") { Description = "Study spec file: the space every data set is run on (its sampler and pruner are replaced by a grid and none)", Required = true };
        var tasks = new Option<string[]>("--task") { Description = "A task file per data set (at least two); the data set is named after the file", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "--out") { Description = "Folder to write the results table to", Required = true };
        var agents = new Option<int>("--agents") { Description = "Trainer agents per data set", DefaultValueFactory = _ => 1 };
        var timeout = DurationOption.Create("--timeout", "Stop each data set's grid after this long; default 30m");
        var journal = new Option<string?>("--journal") { Description = "Keep the embedded store's journal at this path" };
        var command = new Command("grid", "Run one grid study per data set with trainer agents and write the results table") { spec, tasks, output, agents, timeout, journal };
        command.SetAction(async (parse, ct) =>
        {
            var request = StudySpec.Load(parse.GetValue(spec)!);
            var taskPaths = parse.GetValue(tasks)!;
            if (taskPaths.Length < 2)
            {
                throw new SpecException($"--task: Coverage-based Search needs at least two data sets, got {taskPaths.Length}");
            }

            if (request.Directions.Count != 1)
            {
                throw new SpecException($"{parse.GetValue(spec)}: directions: a results table has one score, so the study needs one objective, got {request.Directions.Count}");
            }

            var names = taskPaths.Select(DatasetName).ToList();
            if (names.Distinct().Count() != names.Count)
            {
                throw new SpecException($"--task: two task files name the same data set ({string.Join(", ", names)}); data sets are named after their files");
            }

            foreach (var path in taskPaths)
            {
                await TaskFile.Load(path).PrepareAsync(ct);
            }

            var points = GridPoints(request.SearchSpace);
            request.Sampler = new SamplerConfig { Seed = request.Sampler?.Seed ?? 0, Grid = new GridSamplerConfig() };
            request.Pruner = new PrunerConfig { None = new NopPrunerConfig() };
            request.LoadIfExists = true;
            var folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await using var server = await EmbeddedServer.StartAsync(parse.GetValue(journal), interrupted, ct);
            var connection = new TunerClientOptions { ApiKey = server.AdminKey };
            var baseName = request.Name;
            for (var d = 0; d < taskPaths.Length; d++)
            {
                request.Name = $"{baseName}-{names[d]}";
                Console.WriteLine($"data set '{names[d]}': a grid of {points} configurations");
                var code = await RunCommand.RunStudyAsync(server.Address, connection, request, _ => Task.CompletedTask, parse.GetValue(agents), taskPaths[d], [], (int)points,
                    parse.GetValue(timeout) ?? TimeSpan.FromMinutes(30), null, interrupted.Token);
                if (interrupted.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync("error: interrupted: the tables written so far are kept");
                    return 130;
                }

                if (code != 0)
                {
                    return code;
                }

                using var client = new TunerClient(server.Address, connection);
                var study = await client.LoadStudyAsync(request.Name, ct);
                var file = Path.Combine(folder, $"{names[d]}.csv");
                var rows = await WriteTableAsync(file, request.SearchSpace, await study.TrialsAsync(ct), ct);
                Console.WriteLine($"wrote {file}: {rows} of {points} configurations");
            }

            var direction = request.Directions[0] == Direction.Minimize ? "minimize" : "maximize";
            await File.WriteAllTextAsync(Path.Combine(folder, "manifest.yaml"), $"# written by grpctuner cbs grid from {Path.GetFileName(parse.GetValue(spec))}\ndirection: {direction}\n", ct);
            Console.WriteLine($"results table in {folder}: grpctuner cbs recommend --tables {folder}; grpctuner cbs loo --tables {folder} --default NAME=VALUE,...");
            return 0;
        });
        return command;
    }

    private static string DatasetName(string taskPath)
    {
        var file = Path.GetFileName(taskPath);
        foreach (var suffix in new[] { ".task.yaml", ".task.yml", ".task.json", ".yaml", ".yml", ".json" })
        {
            if (file.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return file[..^suffix.Length];
            }
        }

        return file;
    }

    /// <summary>Configurations of the grid, counted as the grid sampler counts them; a space that is no grid is an error naming the parameter.</summary>
    private static long GridPoints(SearchSpace space)
    {
        if (space.Params.FirstOrDefault(p => p.DistributionCase == ParamSpec.DistributionOneofCase.Float && !(p.Float.HasStep && p.Float.Step > 0)) is { } free)
        {
            throw new SpecException($"params: '{free.Name}' is a float without a step; a grid needs a step on every float");
        }

        var v = new Violations();
        var domain = SearchSpaceMapper.ToDomain(space, v);
        v.ThrowIfAny();
        return GridSampler.CountPoints(domain) ?? throw new SpecException($"params: the grid has more than {GridSampler.MaxPoints} points");
    }

    /// <summary>The complete trials as a results table (RFC 4180 CSV): a column per parameter, in the space's order, and the score. Returns the rows written.</summary>
    private static async Task<int> WriteTableAsync(string path, SearchSpace space, IReadOnlyList<Trial> trials, CancellationToken ct)
    {
        var scored = trials.Where(t => t.State == TrialState.Complete && t.Values.Count == 1).ToList();
        var columns = space.Params.Select(p => new TrialColumn(p.Name, ColumnType.Text, scored.Select(t => (object?)TrialFormat.Value(t.Params[p.Name])).ToList()))
            .Append(new TrialColumn("score", ColumnType.Double, scored.Select(t => (object?)t.Values[0]).ToList()))
            .ToList();
        await File.WriteAllTextAsync(path, CsvExport.Write(columns), ct);
        return scored.Count;
    }
}
