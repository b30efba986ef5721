using GrpcTuner.Agent.Commands;
using System.CommandLine;
using GrpcTuner.Cli.Reports;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Commands;

/// <summary>
/// <c>grpctuner report STUDY --output report.html</c>: a self-contained page with the study's four
/// plots; <c>grpctuner report --compare A B ... --output compare.html</c>: several studies side by
/// side, best so far against compute, with a table.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("study") { Description = "Study name", Arity = ArgumentArity.ZeroOrOne };
        var compare = new Option<string[]>("--compare") { Description = "Compare these studies instead (two or more names)", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "--out", "-o") { Description = "HTML file to write", Required = true };
        var command = new Command("report", "Write an HTML report: optimization history, parallel coordinates, learning curves, parameter importances; or compare studies")
        {
            name, compare, output,
        }.WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var single = parse.GetValue(name);
            var many = parse.GetValue(compare) ?? [];
            if ((single is null) == (many.Length == 0))
            {
                throw new ArgumentException("give one study, or --compare with two or more studies");
            }

            var path = parse.GetValue(output)!;
            if (single is not null)
            {
                var study = await client.LoadStudyAsync(single, ct);
                var trials = await study.TrialsAsync(ct);
                await File.WriteAllTextAsync(path, ReportPage.Render(study.Info, trials), ct);
                Console.WriteLine($"report of {trials.Count} trials written to {path}");
                return;
            }

            if (many.Length < 2 || many.Distinct(StringComparer.Ordinal).Count() != many.Length)
            {
                throw new ArgumentException($"--compare: give two or more different studies, got {string.Join(" ", many)}");
            }

            var studies = new List<(Study, IReadOnlyList<Trial>)>();
            foreach (var n in many)
            {
                var study = await client.LoadStudyAsync(n, ct);
                studies.Add((study.Info, await study.TrialsAsync(ct)));
            }

            await File.WriteAllTextAsync(path, ReportPage.RenderComparison(studies), ct);
            Console.WriteLine($"comparison of {studies.Count} studies written to {path}");
        }));
        return command;
    }
}
