using System.Collections.Concurrent;
using GrpcTuner.Core.Access;
using GrpcTuner.Core.Errors;
using GrpcTuner.Storage;

namespace GrpcTuner.Server.Access;

/// <summary>
/// Turns a bearer token into a principal. Keys are read from the store and kept for a few
/// seconds, so a call costs no store round trip; a revocation anywhere drops the key from every
/// replica's cache as soon as the store's notice arrives (and within <see cref="CacheTtl"/> if a
/// notice is lost). Key management reads the store every time. Unknown ids are not cached, so
/// random tokens cannot fill memory.
/// </summary>
internal sealed class KeyAuthenticator
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(5);

    private static readonly Principal Anonymous = Principal.Root("anonymous (authentication off)");
    private static readonly Principal Admin = Principal.Root("admin key");

    private readonly ServerOptions _options;
    private readonly IKeyStore _keys;
    private readonly TimeProvider _clock;
    private readonly string? _adminHash;
    private readonly ConcurrentDictionary<string, (ApiKey Key, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public KeyAuthenticator(ServerOptions options, IKeyStore keys, TimeProvider clock)
    {
        (_options, _keys, _clock) = (options, keys, clock);
        _adminHash = options.AdminKey is { Length: > 0 } admin ? ApiKeySecret.Hash(admin) : null;
        keys.KeyRevoked += id =>
        {
            Forget(id);
            Revoked?.Invoke(id);
        };
    }

    /// <summary>Raised with a key's id when this replica learns it was revoked: open streams of that key end.</summary>
    public event Action<string>? Revoked;

    /// <summary>The caller of a bearer token; <paramref name="fresh"/> reads its key from the store, not the cache.</summary>
    public async ValueTask<Principal> AuthenticateAsync(string? authorization, CancellationToken ct, bool fresh = false)
    {
        if (_options.NoAuth)
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

        var key = ApiKeySecret.IdOf(secret) is { } id ? await FindAsync(id, fresh, ct).ConfigureAwait(false) : null;
        return key is { RevokedAt: null } && ApiKeySecret.Matches(secret, key.SecretHash)
            ? Principal.Of(key)
            : throw new TunerException(ErrorKind.Unauthenticated, "the API key is unknown or revoked");
    }

    /// <summary>Drops a key from this replica's cache at once; the store's revocation notice does the same on every replica.</summary>
    public void Forget(string id) => _cache.TryRemove(id, out _);

    private async Task<ApiKey?> FindAsync(string id, bool fresh, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        if (!fresh && _cache.TryGetValue(id, out var hit) && hit.Until > now)
        {
            return hit.Key;
        }

        var key = await _keys.FindKeyAsync(id, ct).ConfigureAwait(false);
        if (key is not null)
        {
            _cache[id] = (key, now + CacheTtl);
        }

        return key;
    }
}
