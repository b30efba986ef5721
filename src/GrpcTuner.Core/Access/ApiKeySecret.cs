using System.Security.Cryptography;
using System.Text;

namespace GrpcTuner.Core.Access;

/// <summary>
/// Key secrets: "gtk_" + id + "_" + 32 random bytes in base64url. The id makes lookup one read;
/// the random part has 256 bits, so a plain SHA-256 is enough to store (no slow hash is needed
/// for secrets nobody chose), and hashes are compared in constant time.
/// </summary>
public static class ApiKeySecret
{
    private const string Prefix = "gtk_";

    public static (string Id, string Secret) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return (id, $"{Prefix}{id}_{Base64Url(RandomNumberGenerator.GetBytes(32))}");
    }

    /// <summary>The id inside a secret, or null when the text is not shaped like one.</summary>
    public static string? IdOf(string secret)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = secret.IndexOf('_', Prefix.Length);
        return end > Prefix.Length ? secret[Prefix.Length..end] : null;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
