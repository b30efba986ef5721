namespace GrpcTuner.Core.Validation;

/// <summary>Limits on user attributes, so that one request cannot bloat a record.</summary>
public static class AttrValidator
{
    public const int MaxEntries = 64;
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 4096;

    public static void Validate(IReadOnlyDictionary<string, string> attrs, string field, Violations v)
    {
        v.Check(attrs.Count <= MaxEntries, field, $"must have at most {MaxEntries} entries, got {attrs.Count}");
        foreach (var (key, value) in attrs)
        {
            v.Check(key.Length is >= 1 and <= MaxKeyLength, $"{field}[{key}]", $"keys must be 1 to {MaxKeyLength} characters");
            v.Check(value.Length <= MaxValueLength, $"{field}[{key}]", $"values must be at most {MaxValueLength} characters, got {value.Length}");
        }
    }
}
