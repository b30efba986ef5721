using GrpcTuner.Agent.Commands;
using System.CommandLine;
using GrpcTuner.Cli.Reports;

namespace GrpcTuner.Cli.Commands;

/// <summary><c>grpctuner report STUDY --output report.html</c>: a self-contained page with the study's four plots.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("study") { Description = "Study name" };
        var output = new Option<string>("--output", "--out", "-o") { Description = "HTML file to write", Required = true };
        var command = new Command("report", "Write an HTML report: optimization history, parallel coordinates, learning curves, parameter importances")
        {
            name, output,
        }.WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var study = await client.LoadStudyAsync(parse.GetValue(name)!, ct);
            var trials = await study.TrialsAsync(ct);
            await File.WriteAllTextAsync(parse.GetValue(output)!, ReportPage.Render(study.Info, trials), ct);
            Console.WriteLine($"report of {trials.Count} trials written to {parse.GetValue(output)}");
        }));
        return command;
    }
}
