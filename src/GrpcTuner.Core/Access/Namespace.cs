namespace GrpcTuner.Core.Access;

/// <summary>
/// Namespaces partition studies by name: a study is in the namespace before the first '/' of its
/// name, or in "default" when the name has none. Deriving it from the name keeps every store and
/// every existing study as it is, and lets one Redis key lookup answer "may this key see it".
/// </summary>
public static class Namespace
{
    public const string Default = "default";

    /// <summary>Stands for every namespace in a key's list.</summary>
    public const string All = "*";

    public const int MaxLength = 64;

    public static string Of(string studyName)
    {
        var slash = studyName.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? studyName[..slash] : Default;
    }

    /// <summary>Letters, digits, '_', '-' and '.', 1 to 64 characters; null when valid, else why not.</summary>
    public static string? Problem(string name) =>
        name.Length is 0 or > MaxLength ? $"must be 1 to {MaxLength} characters, got {name.Length}"
        : name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? null
        : $"'{name}' may hold only letters, digits, '_', '-' and '.'";
}
