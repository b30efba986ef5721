namespace GrpcTuner.Core.Validation;

/// <summary>The rule for study and parameter names: safe in keys, URLs and file names.</summary>
public static class Names
{
    public const int MaxLength = 128;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/');

    public const string Rule = "must be 1 to 128 characters of letters, digits, '_', '-', '.' and '/'";
}
