using System.Text.Json;
using GrpcTuner.Core.Access;

namespace GrpcTuner.Storage.Serialization;

/// <summary>API keys as stored: the record as JSON, secret hash included, secret never.</summary>
internal static class ApiKeyJson
{
    public static string Write(ApiKey key) => JsonSerializer.Serialize(key, StoreJsonContext.Default.ApiKey);

    public static ApiKey Read(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.ApiKey) ?? throw new JsonException("an API key record is null");
}
