using System.Globalization;
using GrpcTuner.Cli.Commands;
using Spectre.Console;
using GrpcTuner.V1;
using Spectre.Console.Rendering;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Watching;

/// <summary>The terminal view: a progress bar, the best trial so far, and trials by state.</summary>
internal static class WatchView
{
    public static IRenderable Render(StudyProgress progress, int? target)
    {
        var table = new Grid().AddColumn().AddColumn();
        table.AddRow("[bold]study[/]", Markup.Escape(progress.Study.Name));
        if (progress.Total == 0)
        {
            table.AddRow("[bold]trials[/]", "waiting for trials");
        }
        else
        {
            var running = progress.Counts.GetValueOrDefault(TrialState.Running);
            table.AddRow("[bold]trials[/]", $"{progress.Finished} finished, {running} running{(target is null ? "" : $", {target} wanted")}");
        }

        // A bar only against a goal the user set: finished against started reads like a goal and is none.
        if (target is { } goal)
        {
            table.AddRow("[bold]progress[/]", ProgressBar(progress.Finished, goal));
        }

        table.AddRow("[bold]by state[/]", Markup.Escape(string.Join("  ", progress.Counts.Where(c => c.Value > 0).Select(c => $"{TrialFormat.State(c.Key)} {c.Value}"))));
        table.AddRow("[bold]best[/]", progress.Best is { } b
            ? Markup.Escape($"trial {b.Number}: {TrialFormat.Number(b.Values[0])}  {TrialFormat.Params(b)}")
            : progress.Study.Directions.Count > 1 ? "several objectives: see grpctuner study show" : "none complete yet");
        return new Panel(table).Header("grpctuner watch").Border(BoxBorder.Rounded);
    }

    private static string ProgressBar(int done, int goal)
    {
        const int width = 40;
        var filled = (int)Math.Round(width * Math.Clamp(done / (double)goal, 0, 1));
        return $"[green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {100.0 * done / goal:F0}%";
    }
}
