using GrpcTuner.V1;

namespace GrpcTuner.Cli.Reports;

/// <summary>
/// What the comparison page draws, per study: the best value so far (first objective) after each
/// complete trial against the compute spent until then and the number of trials finished until then,
/// pruned and failed ones included, in the order they finished; and the figures of its table.
/// </summary>
internal static class CompareData
{
    public static object Build(IReadOnlyList<(Study Study, IReadOnlyList<Trial> Trials)> studies)
    {
        var finishedBy = studies.Select(s => s.Trials
            .Where(t => t.State is TrialState.Complete or TrialState.Pruned or TrialState.Fail)
            .OrderBy(t => t.CompleteTime?.ToDateTimeOffset() ?? DateTimeOffset.MaxValue).ThenBy(t => t.Number)
            .ToList()).ToList();
        var cpuOnly = finishedBy.SelectMany(f => f).All(t => t.Compute is null || t.Compute.DeviceKind is "" or "cpu");
        return new
        {
            unit = cpuOnly ? "CPU-seconds" : "device-seconds",
            generated = DateTimeOffset.UtcNow,
            studies = studies.Select((s, i) => Study(s.Study, finishedBy[i], cpuOnly)).ToArray(),
        };
    }

    private static object Study(Study study, List<Trial> finished, bool cpuOnly)
    {
        var maximize = study.Directions[0] == Direction.Maximize;
        var points = new List<double[]>();
        double spent = 0;
        double? best = null;
        Trial? bestTrial = null;
        var count = 0;
        foreach (var t in finished)
        {
            spent += Cost(t, cpuOnly);
            count++;
            if (t.State != TrialState.Complete || t.Values.Count == 0)
            {
                continue;
            }

            if (best is null || (maximize ? t.Values[0] > best : t.Values[0] < best))
            {
                (best, bestTrial) = (t.Values[0], t);
            }

            points.Add([spent, best.Value, count]);
        }

        return new
        {
            name = study.Name,
            sampler = study.Sampler.KindCase.ToString(),
            pruner = ReportData.PrunerName(study),
            points,
            best,
            // What a task measured on held-out data for the chosen trial: its test_* attributes.
            test = bestTrial is null ? null : string.Join(", ", bestTrial.UserAttrs.Where(a => a.Key.StartsWith("test_", StringComparison.Ordinal)).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value}")),
            compute = spent,
            trials = finished.Count,
            pruned = finished.Count(t => t.State == TrialState.Pruned),
        };
    }

    /// <summary>
    /// A trial's compute: its CPU seconds where every trial ran on CPUs, otherwise its wall seconds
    /// times its devices; a trial that reported none counts its wall-clock time from start to finish.
    /// </summary>
    private static double Cost(Trial t, bool cpuOnly)
    {
        if (t.Compute is { } c && (c.CpuSeconds > 0 || c.WallSeconds > 0))
        {
            return cpuOnly ? c.CpuSeconds : c.WallSeconds * Math.Max(1, c.DeviceCount);
        }

        return t.StartTime is { } start && t.CompleteTime is { } end ? Math.Max(0, (end.ToDateTimeOffset() - start.ToDateTimeOffset()).TotalSeconds) : 0;
    }
}
