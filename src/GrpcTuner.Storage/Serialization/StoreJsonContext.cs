using System.Text.Json.Serialization;
using GrpcTuner.Core.Access;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage.Serialization;

/// <summary>Source-generated JSON for the plain settings and key records.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(SamplerSettings))]
[JsonSerializable(typeof(PrunerSettings))]
[JsonSerializable(typeof(ApiKey))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
