using System.Buffers;
using System.Text;
using System.Text.Json;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage.Serialization;

/// <summary>The stored form of a study: its id, creation time and whole definition.</summary>
public static class StudyJson
{
    public static string Write(Study study)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            var d = study.Definition;
            w.WriteStartObject();
            w.WriteString("id", study.Id);
            w.WriteString("name", d.Name);
            w.WriteNumber("created", study.CreatedAt.ToUnixTimeMilliseconds());
            w.WriteStartArray("space");
            foreach (var p in d.Space.Params)
            {
                WriteParam(w, p);
            }

            w.WriteEndArray();
            w.WriteStartArray("directions");
            foreach (var dir in d.Directions)
            {
                w.WriteStringValue(dir.ToString());
            }

            w.WriteEndArray();
            w.WritePropertyName("sampler");
            JsonSerializer.Serialize(w, d.Sampler, StoreJsonContext.Default.SamplerSettings);
            w.WritePropertyName("pruner");
            JsonSerializer.Serialize(w, d.Pruner, StoreJsonContext.Default.PrunerSettings);
            w.WriteNumber("maxRetries", d.MaxRetries);
            w.WritePropertyName("attrs");
            ParamJson.WriteAttrs(w, d.UserAttrs);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static Study Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement;
        var space = new SearchSpace(e.GetProperty("space").EnumerateArray().Select(ReadParam).ToList());
        var definition = new StudyDefinition(
            e.GetProperty("name").GetString()!,
            space,
            e.GetProperty("directions").EnumerateArray().Select(x => Enum.Parse<Direction>(x.GetString()!)).ToList(),
            e.GetProperty("sampler").Deserialize(StoreJsonContext.Default.SamplerSettings)!,
            e.GetProperty("pruner").Deserialize(StoreJsonContext.Default.PrunerSettings)!,
            e.GetProperty("maxRetries").GetInt32(),
            ParamJson.ReadAttrs(e.GetProperty("attrs")));
        return new Study(e.GetProperty("id").GetString()!, definition, DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("created").GetInt64()));
    }

    private static void WriteParam(Utf8JsonWriter w, ParamSpec p)
    {
        w.WriteStartObject();
        w.WriteString("name", p.Name);
        DistributionJson.WriteMembers(w, p.Distribution);
        if (p.Condition is { } cond)
        {
            w.WriteString("parent", cond.Parent);
            DistributionJson.WriteValues(w, "when", cond.Values);
        }

        w.WriteEndObject();
    }

    private static ParamSpec ReadParam(JsonElement e)
    {
        var condition = e.TryGetProperty("parent", out var parent)
            ? new Condition(parent.GetString()!, e.GetProperty("when").EnumerateArray().Select(ParamJson.ReadValue).ToList())
            : null;
        return new ParamSpec(e.GetProperty("name").GetString()!, DistributionJson.Read(e), condition);
    }
}
