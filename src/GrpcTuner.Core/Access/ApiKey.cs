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
    DateTimeOffset? RevokedAt = null);
