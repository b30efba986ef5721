namespace GrpcTuner.Core.Access;

/// <summary>A stored API key: never its secret, only the secret's SHA-256.</summary>
/// <param name="Id">Public identifier, part of the secret's text.</param>
/// <param name="SecretHash">Lower-case hex SHA-256 of the whole secret.</param>
/// <param name="Namespaces">Namespaces the key reaches; <see cref="Namespace.All"/> for every one.</param>
/// <param name="Role">What the key may do there.</param>
/// <param name="Description">Who or what the key is for.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked; null while it is valid.</param>
public sealed record ApiKey(
    string Id,
    string SecretHash,
    IReadOnlyList<string> Namespaces,
    Role Role,
    string Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt = null)
{
    /// <summary>This key revoked at <paramref name="at"/>; a key revoked already keeps its earlier time (and is returned as it is).</summary>
    public ApiKey Revoke(DateTimeOffset at) => RevokedAt is null ? this with { RevokedAt = at } : this;

    /// <summary>The order every store lists keys in: oldest first, ties by id.</summary>
    public static IReadOnlyList<ApiKey> OldestFirst(IEnumerable<ApiKey> keys) =>
        keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();
}
