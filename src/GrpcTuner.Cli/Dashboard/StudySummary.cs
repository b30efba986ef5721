using GrpcTuner.Cli.Reports;
using GrpcTuner.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Dashboard;

/// <summary>A row of the studies page: what a study is, how far it got, and what it spent.</summary>
internal static class StudySummary
{
    public static object Of(Study study, IReadOnlyList<Trial> trials)
    {
        var maximize = study.Directions.Count > 0 && study.Directions[0] == Direction.Maximize;
        var values = trials.Where(t => t.State == TrialState.Complete && t.Values.Count > 0).Select(t => t.Values[0]).ToList();
        var changes = trials.SelectMany(t => new[] { t.StartTime, t.CompleteTime }).Where(time => time is not null).Select(time => time!.ToDateTimeOffset()).ToList();
        return new
        {
            name = study.Name,
            directions = study.Directions.Select(TrialFormat.Direction).ToArray(),
            sampler = study.Sampler.KindCase.ToString(),
            pruner = ReportData.PrunerName(study),
            counts = trials.GroupBy(t => TrialFormat.State(t.State)).ToDictionary(g => g.Key, g => g.Count()),
            best = values.Count == 0 ? (double?)null : maximize ? values.Max() : values.Min(),
            lastChange = changes.Count == 0 ? study.CreateTime?.ToDateTimeOffset() : changes.Max(),
            cpuSeconds = trials.Sum(t => t.Compute?.CpuSeconds ?? 0),
            wallSeconds = trials.Sum(t => t.Compute?.WallSeconds ?? 0),
        };
    }
}
