using System.Text.Json.Serialization;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage.Serialization;

/// <summary>Source-generated JSON for the plain settings records.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(SamplerSettings))]
[JsonSerializable(typeof(PrunerSettings))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
