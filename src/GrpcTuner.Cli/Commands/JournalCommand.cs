using System.CommandLine;
using GrpcTuner.Cli.Specs;
using GrpcTuner.Storage.Embedded;

namespace GrpcTuner.Cli.Commands;

/// <summary>
/// <c>grpctuner journal check|repair PATH</c>: the embedded store's journal, record by record. A
/// server refuses to start on a damaged journal; check says which lines are damaged and why, repair
/// keeps every intact record and moves the damaged file aside. Run them with the server stopped.
/// </summary>
internal static class JournalCommand
{
    public static Command Create()
    {
        var journal = new Command("journal", "Check or repair the embedded store's journal (with the server stopped)");
        journal.Subcommands.Add(Check());
        journal.Subcommands.Add(Repair());
        return journal;
    }

    private static Command Check()
    {
        var path = new Argument<string>("path") { Description = "The journal file (serve --journal)" };
        var command = new Command("check", "List the damaged records of a journal; exit 1 when there is one") { path };
        command.SetAction(parse =>
        {
            var file = Existing(parse.GetValue(path)!);
            var damaged = JournalCheck.Damaged(file);
            foreach (var d in damaged)
            {
                Console.WriteLine($"{file}:{d.Line}: {d.Problem}");
            }

            Console.WriteLine(damaged.Count == 0 ? $"{file}: every record is intact" : $"{damaged.Count} damaged record(s): 'grpctuner journal repair {file}' keeps every intact one");
            return damaged.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Repair()
    {
        var path = new Argument<string>("path") { Description = "The journal file (serve --journal)" };
        var command = new Command("repair", "Keep every intact record of a journal; the damaged file is kept beside it") { path };
        command.SetAction(parse =>
        {
            var file = Existing(parse.GetValue(path)!);
            var result = JournalCheck.Repair(file);
            foreach (var d in result.Dropped)
            {
                Console.WriteLine($"dropped {file}:{d.Line}: {d.Problem}");
            }

            Console.WriteLine(result.Original is null ? $"{file}: every record is intact; nothing to repair" : $"kept {result.Kept} record(s) in {file}; the damaged journal is {result.Original}");
            return 0;
        });
        return command;
    }

    private static string Existing(string path) => File.Exists(path) ? path : throw new SpecException($"{path}: no such journal");
}
