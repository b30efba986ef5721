using GrpcTuner.Agent.Commands;
using System.CommandLine;
using GrpcTuner.Cli.Specs;
using GrpcTuner.V1;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Commands;

/// <summary><c>grpctuner study create|list|show|delete</c>.</summary>
internal static class StudyCommands
{
    public static Command Create()
    {
        var study = new Command("study", "Create, list, inspect and delete studies");
        study.Subcommands.Add(CreateCommand());
        study.Subcommands.Add(ListCommand());
        study.Subcommands.Add(ShowCommand());
        study.Subcommands.Add(DeleteCommand());
        return study;
    }

    private static Command CreateCommand()
    {
        var spec = new Option<string>("--spec") { Description = "Study spec file (YAML or JSON)", Required = true };
        var load = new Option<bool>("--load-if-exists") { Description = "Use the existing study of that name instead of failing" };
        var command = new Command("create", "Create a study from a spec file") { spec, load }.WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var request = StudySpec.Load(parse.GetValue(spec)!);
            request.LoadIfExists = parse.GetValue(load);
            var created = await client.CreateStudyAsync(request, ct);
            Console.WriteLine($"study '{created.Name}' ({created.Info.StudyId}) with {request.SearchSpace.Params.Count} parameter(s)");
        }));
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List studies: name, sampler, directions, trials by state, creation time").WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var rows = new List<string>();
            var token = "";
            do
            {
                var page = await client.Raw.ListStudiesAsync(new ListStudiesRequest { PageToken = token }, cancellationToken: ct);
                foreach (var s in page.Studies)
                {
                    var trials = await (await client.LoadStudyAsync(s.Name, ct)).TrialsAsync(ct);
                    rows.Add($"{s.Name}\t{s.Sampler.KindCase.ToString().ToLowerInvariant()}\t{string.Join(",", s.Directions.Select(TrialFormat.Direction))}\t{trials.Count}\t{Counts(trials)}\t{s.CreateTime.ToDateTimeOffset():u}");
                }

                token = page.NextPageToken;
            }
            while (token.Length > 0);
            Console.WriteLine(rows.Count == 0 ? "no studies" : string.Join('\n', rows.Prepend("name\tsampler\tdirections\ttrials\tby state\tcreated")));
        }));
        return command;
    }

    private static Command DeleteCommand()
    {
        var name = new Argument<string>("study") { Description = "Study name" };
        var yes = new Option<bool>("--yes") { Description = "Delete without asking (required when input is not a terminal)" };
        var command = new Command("delete", "Delete a study and all its trials") { name, yes }.WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var study = parse.GetValue(name)!;
            if (!parse.GetValue(yes))
            {
                if (Console.IsInputRedirected)
                {
                    throw new SpecException($"deleting '{study}' cannot be undone: add --yes to confirm");
                }

                Console.Write($"delete study '{study}' and all its trials? [y/N] ");
                if (Console.ReadLine()?.Trim().ToLowerInvariant() is not ("y" or "yes"))
                {
                    Console.WriteLine("kept");
                    return;
                }
            }

            await client.Raw.DeleteStudyAsync(new DeleteStudyRequest { Study = study }, cancellationToken: ct);
            Console.WriteLine($"deleted study '{study}'");
        }));
        return command;
    }

    private static string Counts(IReadOnlyList<Trial> trials) =>
        trials.Count == 0 ? "-" : string.Join(", ", trials.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{TrialFormat.State(g.Key)} {g.Count()}"));

    private static Command ShowCommand()
    {
        var name = new Argument<string>("study") { Description = "Study name" };
        var command = new Command("show", "Show a study: trials by state and the best trial") { name }.WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var study = await client.LoadStudyAsync(parse.GetValue(name)!, ct);
            var trials = await study.TrialsAsync(ct);
            Console.WriteLine($"study {study.Name} ({study.Info.StudyId}), sampler {study.Info.Sampler.KindCase.ToString().ToLowerInvariant()}, seed {study.Info.Sampler.Seed}");
            Console.WriteLine(trials.Count == 0 ? "trials: none yet" : $"trials: {trials.Count} ({Counts(trials)})");
            // LoadStudy is GetStudy: its totals are the sum of what the workers reported.
            if (study.Info.ComputeTotal is { } c && (c.WallSeconds > 0 || c.Samples > 0))
            {
                Console.WriteLine($"compute: {TrialFormat.Rounded(c.WallSeconds / 60, 4)} min wall, {TrialFormat.Rounded(c.CpuSeconds / 60, 4)} CPU-min, {c.Samples} samples, {c.Epochs} epochs"
                    + (c.DeviceCount > 1 ? $", up to {c.DeviceCount} devices a trial" : ""));
            }
            foreach (var best in await study.BestTrialsAsync(ct))
            {
                Console.WriteLine($"best: trial {best.Number} values [{string.Join(", ", best.Values.Select(TrialFormat.Number))}] params {TrialFormat.Params(best)}");
            }
        }));
        return command;
    }
}
