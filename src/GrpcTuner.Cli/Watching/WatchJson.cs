using System.Text.Json;
using GrpcTuner.Cli.Commands;
using GrpcTuner.V1;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Watching;

/// <summary>One JSON line per event, for pipelines: the trial as it became, and the study's totals after it.</summary>
internal static class WatchJson
{
    public static string Line(string cursor, Trial trial, StudyProgress progress) => JsonSerializer.Serialize(new
    {
        cursor,
        trial = new
        {
            number = trial.Number,
            state = TrialFormat.State(trial.State),
            values = trial.Values.ToArray(),
            @params = TrialFormat.PlainParams(trial),
            steps = trial.IntermediateValues.Count,
        },
        finished = progress.Finished,
        total = progress.Total,
        counts = progress.Counts.ToDictionary(c => TrialFormat.State(c.Key), c => c.Value),
        best = progress.Best is { } b ? new { number = b.Number, value = b.Values[0] } : null,
    });
}
