using System.Globalization;
using GrpcTuner.V1;

namespace GrpcTuner.Client;

/// <summary>
/// States, directions, numbers and parameter values as text, one way in every command and export:
/// states and directions in lower case as the SDKs write them, numbers in invariant culture,
/// round-tripping, positional where a decimal fits (2.187e-06 prints 0.000002187). The CLI, its exports
/// and SDK users (<c>TrialFormat.Params(best)</c> prints <c>x1=3.14 x2=2.27</c>) share it.
/// </summary>
public static class TrialFormat
{
    public static string State(TrialState state) => state.ToString().ToLowerInvariant();

    public static string Direction(Direction direction) => direction.ToString().ToLowerInvariant();

    public static string Number(double value)
    {
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        // decimal holds 28 digits: parsed from the round-trip text it prints every digit of it, without an exponent.
        return roundTrip.Contains('E', StringComparison.Ordinal) && Math.Abs(value) is >= 1e-12 and < 1e20
            ? decimal.Parse(roundTrip, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
            : roundTrip;
    }

    /// <summary>A number cut to a few significant digits, for tables, written as <see cref="Number"/> writes it.</summary>
    public static string Rounded(double value, int significant) =>
        Number(double.Parse(value.ToString($"G{significant}", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));

    public static string Value(ParamValue v) => v.KindCase switch
    {
        ParamValue.KindOneofCase.FloatValue => Number(v.FloatValue),
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
