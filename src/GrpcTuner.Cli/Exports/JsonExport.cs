using System.Text.Json;
using GrpcTuner.Cli.Commands;
using GrpcTuner.V1;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Exports;

/// <summary>
/// Trials as plain JSON a pipeline reads without protobuf: snake_case names, <c>number</c> always
/// present, numbers as JSON numbers, params as plain values, states in the words of the other exports.
/// </summary>
internal static class JsonExport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(IReadOnlyList<Trial> trials) => JsonSerializer.Serialize(trials.Select(t => new Dictionary<string, object?>
    {
        ["number"] = t.Number,
        ["state"] = TrialFormat.State(t.State),
        ["values"] = t.Values.ToArray(),
        ["params"] = TrialFormat.PlainParams(t),
        ["intermediate_values"] = t.IntermediateValues.ToDictionary(v => v.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), v => v.Value),
        ["user_attrs"] = t.UserAttrs.ToDictionary(a => a.Key, a => a.Value),
        ["compute"] = t.Compute is { } c
            ? new Dictionary<string, object> { ["wall_seconds"] = c.WallSeconds, ["cpu_seconds"] = c.CpuSeconds, ["device_kind"] = c.DeviceKind, ["device_count"] = c.DeviceCount, ["samples"] = c.Samples, ["epochs"] = c.Epochs }
            : null,
        ["worker_id"] = t.WorkerId,
        ["retried_from"] = t.HasRetriedFrom ? t.RetriedFrom : null,
        ["reason"] = t.Reason.Length > 0 ? t.Reason : null,
        ["start_time"] = t.StartTime?.ToDateTimeOffset(),
        ["complete_time"] = t.CompleteTime?.ToDateTimeOffset(),
    }), Indented) + "\n";
}
