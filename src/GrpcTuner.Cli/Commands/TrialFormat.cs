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

    /// <summary>The value as the plain .NET type a JSON serializer writes as a JSON number, string or boolean.</summary>
    public static object Plain(ParamValue v) => v.KindCase switch
    {
        ParamValue.KindOneofCase.FloatValue => v.FloatValue,
        ParamValue.KindOneofCase.IntValue => v.IntValue,
        ParamValue.KindOneofCase.BoolValue => v.BoolValue,
        _ => v.StringValue,
    };

    /// <summary>Params in name order, as plain values for JSON.</summary>
    public static SortedDictionary<string, object> PlainParams(Trial t) =>
        new(t.Params.ToDictionary(p => p.Key, p => Plain(p.Value)), StringComparer.Ordinal);

    public static string Params(Trial t) => string.Join(" ", t.Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Value(p.Value)}"));
}
