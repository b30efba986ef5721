namespace GrpcTuner.Core.Domain;

/// <summary>
/// One string per configuration: its params in name order, each with its kind, so that the int 1,
/// the float 1 and the string "1" stay apart. Equal configurations, equal keys.
/// </summary>
public static class ConfigurationKey
{
    public static string Of(IReadOnlyDictionary<string, ParamValue> ps) =>
        string.Join('\u0001', ps.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Kind}:{p.Value}"));
}
