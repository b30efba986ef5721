using GrpcTuner.Cli.Commands;
using GrpcTuner.V1;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Exports;

/// <summary>The type a column keeps in formats that have types (Parquet); CSV writes them all as text.</summary>
internal enum ColumnType
{
    Long,
    Double,
    Text,
    Time,
}

/// <summary>One export column: a name, a type, and a cell per trial (null when the trial has none).</summary>
internal sealed record TrialColumn(string Name, ColumnType Type, IReadOnlyList<object?> Cells);

/// <summary>
/// A study's trials as columns, one per objective and parameter: the single definition of what an
/// export holds, so that CSV and Parquet cannot drift apart.
/// </summary>
internal static class TrialColumns
{
    public static IReadOnlyList<TrialColumn> Of(Study study, IReadOnlyList<Trial> trials)
    {
        TrialColumn Column(string name, ColumnType type, Func<Trial, object?> cell) => new(name, type, trials.Select(cell).ToList());

        var columns = new List<TrialColumn>
        {
            Column("number", ColumnType.Long, t => t.Number),
            Column("state", ColumnType.Text, t => TrialFormat.State(t.State)),
        };
        columns.AddRange(study.Directions.Select((_, i) =>
            Column($"value_{i}", ColumnType.Double, t => i < t.Values.Count ? t.Values[i] : null)));
        columns.AddRange(StudyParams.Of(study, trials).Select(p =>
            Column($"param_{p.Name}", TypeOf(p), t => t.Params.TryGetValue(p.Name, out var v) ? Cell(v) : null)));
        columns.Add(Column("wall_seconds", ColumnType.Double, t => t.Compute?.WallSeconds));
        columns.Add(Column("cpu_seconds", ColumnType.Double, t => t.Compute?.CpuSeconds));
        columns.Add(Column("device", ColumnType.Text, t => t.Compute is { DeviceKind.Length: > 0 } c ? $"{c.DeviceKind}x{c.DeviceCount}" : null));
        columns.Add(Column("samples", ColumnType.Long, t => t.Compute?.Samples));
        columns.Add(Column("epochs", ColumnType.Long, t => t.Compute?.Epochs));
        columns.Add(Column("worker_id", ColumnType.Text, t => t.WorkerId));
        columns.Add(Column("retried_from", ColumnType.Long, t => t.HasRetriedFrom ? t.RetriedFrom : null));
        columns.Add(Column("reason", ColumnType.Text, t => t.Reason));
        columns.Add(Column("start_time", ColumnType.Time, t => t.StartTime?.ToDateTimeOffset()));
        columns.Add(Column("complete_time", ColumnType.Time, t => t.CompleteTime?.ToDateTimeOffset()));
        return columns;
    }

    // Categorical choices may mix types, so they are exported as their text.
    private static ColumnType TypeOf(ParamSpec p) => p.DistributionCase switch
    {
        ParamSpec.DistributionOneofCase.Float => ColumnType.Double,
        ParamSpec.DistributionOneofCase.Int => ColumnType.Long,
        _ => ColumnType.Text,
    };

    private static object Cell(ParamValue v) => v.KindCase switch
    {
        ParamValue.KindOneofCase.FloatValue => v.FloatValue,
        ParamValue.KindOneofCase.IntValue => v.IntValue,
        _ => TrialFormat.Value(v),
    };
}
