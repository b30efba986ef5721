using GrpcTuner.Core.Access;

namespace GrpcTuner.Storage;

/// <summary>Where API keys live, beside the studies they guard, so that every replica sees the same keys.</summary>
public interface IKeyStore
{
    Task CreateKeyAsync(ApiKey key, CancellationToken ct);

    Task<ApiKey?> FindKeyAsync(string id, CancellationToken ct);

    /// <summary>Every key, revoked ones included, oldest first.</summary>
    Task<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken ct);

    /// <summary>Marks a key revoked (keeping an earlier revocation time); null when there is no such key.</summary>
    Task<ApiKey?> RevokeKeyAsync(string id, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Raised on every replica, with the key's id, soon after a key is revoked on any of them (Redis pub/sub;
    /// in process for the embedded store). Delivery is at most once: readers keep a bounded cache as well.
    /// </summary>
    event Action<string>? KeyRevoked;
}
