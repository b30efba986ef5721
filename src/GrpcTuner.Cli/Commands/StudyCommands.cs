using System.CommandLine;
using GrpcTuner.Cli.Specs;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Commands;

/// <summary><c>grpctuner study create|list|show</c>.</summary>
internal static class StudyCommands
{
    public static Command Create()
    {
        var study = new Command("study", "Create, list and inspect studies");
        study.Subcommands.Add(CreateCommand());
        study.Subcommands.Add(ListCommand());
        study.Subcommands.Add(ShowCommand());
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
        var command = new Command("list", "List studies").WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var token = "";
            do
            {
                var page = await client.Raw.ListStudiesAsync(new ListStudiesRequest { PageToken = token }, cancellationToken: ct);
                foreach (var s in page.Studies)
                {
                    Console.WriteLine($"{s.Name}\t{s.Sampler.KindCase}\t{string.Join(",", s.Directions)}\t{s.CreateTime.ToDateTimeOffset():u}");
                }

                token = page.NextPageToken;
            }
            while (token.Length > 0);
        }));
        return command;
    }

    private static Command ShowCommand()
    {
        var name = new Argument<string>("study") { Description = "Study name" };
        var command = new Command("show", "Show a study: trials by state and the best trial") { name }.WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var study = await client.LoadStudyAsync(parse.GetValue(name)!, ct);
            var trials = await study.TrialsAsync(ct);
            Console.WriteLine($"study {study.Name} ({study.Info.StudyId}), sampler {study.Info.Sampler.KindCase}, seed {study.Info.Sampler.Seed}");
            Console.WriteLine($"trials: {trials.Count} ({string.Join(", ", trials.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))})");
            foreach (var best in await study.BestTrialsAsync(ct))
            {
                Console.WriteLine($"best: trial {best.Number} values [{string.Join(", ", best.Values)}] params {TrialFormat.Params(best)}");
            }
        }));
        return command;
    }
}
