using System.Globalization;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Commands;

/// <summary>Parameter values as text, the same way in every command and export.</summary>
internal static class TrialFormat
{
    public static string Value(ParamValue v) => v.KindCase switch
    {
        ParamValue.KindOneofCase.FloatValue => v.FloatValue.ToString("R", CultureInfo.InvariantCulture),
        ParamValue.KindOneofCase.IntValue => v.IntValue.ToString(CultureInfo.InvariantCulture),
        ParamValue.KindOneofCase.BoolValue => v.BoolValue ? "true" : "false",
        _ => v.StringValue,
    };

    public static string Params(Trial t) => string.Join(" ", t.Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Value(p.Value)}"));
}
