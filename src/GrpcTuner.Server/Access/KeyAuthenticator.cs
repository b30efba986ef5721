using System.Collections.Concurrent;
using GrpcTuner.Core.Access;
using GrpcTuner.Core.Errors;
using GrpcTuner.Storage;

namespace GrpcTuner.Server.Access;

/// <summary>
/// Turns a bearer token into a principal. Keys are read from the store and kept for a few
/// seconds, so a call costs no store round trip while a revocation reaches every replica within
/// <see cref="CacheTtl"/>. Unknown ids are not cached, so random tokens cannot fill memory.
/// </summary>
internal sealed class KeyAuthenticator(ServerOptions options, IKeyStore keys, TimeProvider clock)
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(5);

    private static readonly Principal Anonymous = Principal.Root("anonymous (authentication off)");
    private static readonly Principal Admin = Principal.Root("admin key");

    private readonly string? _adminHash = options.AdminKey is { Length: > 0 } admin ? ApiKeySecret.Hash(admin) : null;
    private readonly ConcurrentDictionary<string, (ApiKey Key, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<Principal> AuthenticateAsync(string? authorization, CancellationToken ct)
    {
        if (options.NoAuth)
        {
            return Anonymous;
        }

        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new TunerException(ErrorKind.Unauthenticated, "no API key: send the header 'authorization: Bearer <key>'");
        }

        var secret = authorization[scheme.Length..].Trim();
        if (_adminHash is not null && ApiKeySecret.Matches(secret, _adminHash))
        {
            return Admin;
        }

        var key = ApiKeySecret.IdOf(secret) is { } id ? await FindAsync(id, ct).ConfigureAwait(false) : null;
        return key is { RevokedAt: null } && ApiKeySecret.Matches(secret, key.SecretHash)
            ? Principal.Of(key)
            : throw new TunerException(ErrorKind.Unauthenticated, "the API key is unknown or revoked");
    }

    /// <summary>Drops a key from this replica's cache at once (others follow within the TTL).</summary>
    public void Forget(string id) => _cache.TryRemove(id, out _);

    private async Task<ApiKey?> FindAsync(string id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(id, out var hit) && hit.Until > now)
        {
            return hit.Key;
        }

        var key = await keys.FindKeyAsync(id, ct).ConfigureAwait(false);
        if (key is not null)
        {
            _cache[id] = (key, now + CacheTtl);
        }

        return key;
    }
}
