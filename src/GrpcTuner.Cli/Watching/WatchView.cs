using System.Globalization;
using GrpcTuner.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GrpcTuner.Cli.Watching;

/// <summary>The terminal view: a progress bar, the best trial so far, and trials by state.</summary>
internal static class WatchView
{
    public static IRenderable Render(StudyProgress progress, int? target)
    {
        var goal = target ?? Math.Max(progress.Total, 1);
        var table = new Grid().AddColumn().AddColumn();
        table.AddRow("[bold]study[/]", Markup.Escape(progress.Study.Name));
        table.AddRow("[bold]finished[/]", $"{progress.Finished} of {(target is null ? $"{progress.Total} started" : $"{target} wanted")}");
        table.AddRow("[bold]progress[/]", ProgressBar(progress.Finished, goal));
        table.AddRow("[bold]by state[/]", Markup.Escape(string.Join("  ", progress.Counts.Select(c => $"{c.Key.ToString().ToLowerInvariant()} {c.Value}"))));
        table.AddRow("[bold]best[/]", progress.Best is { } b
            ? Markup.Escape($"trial {b.Number}: {b.Values[0].ToString("G6", CultureInfo.InvariantCulture)}  {TrialFormat.Params(b)}")
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
