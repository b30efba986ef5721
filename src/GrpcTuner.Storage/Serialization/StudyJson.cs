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
        switch (p.Distribution)
        {
            case FloatDistribution f:
                w.WriteString("type", "float");
                w.WriteNumber("low", f.Low);
                w.WriteNumber("high", f.High);
                w.WriteBoolean("log", f.Log);
                if (f.Step is { } step)
                {
                    w.WriteNumber("step", step);
                }

                break;
            case IntDistribution i:
                w.WriteString("type", "int");
                w.WriteNumber("low", i.Low);
                w.WriteNumber("high", i.High);
                w.WriteBoolean("log", i.Log);
                w.WriteNumber("step", i.Step);
                break;
            case CategoricalDistribution c:
                w.WriteString("type", "categorical");
                WriteValues(w, "choices", c.Choices);
                break;
        }

        if (p.Condition is { } cond)
        {
            w.WriteString("parent", cond.Parent);
            WriteValues(w, "when", cond.Values);
        }

        w.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter w, string name, IReadOnlyList<ParamValue> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            ParamJson.WriteValue(w, v);
        }

        w.WriteEndArray();
    }

    private static ParamSpec ReadParam(JsonElement e)
    {
        Distribution distribution = e.GetProperty("type").GetString() switch
        {
            "float" => new FloatDistribution(e.GetProperty("low").GetDouble(), e.GetProperty("high").GetDouble(), e.GetProperty("log").GetBoolean(),
                e.TryGetProperty("step", out var s) ? s.GetDouble() : null),
            "int" => new IntDistribution(e.GetProperty("low").GetInt64(), e.GetProperty("high").GetInt64(), e.GetProperty("log").GetBoolean(), e.GetProperty("step").GetInt64()),
            _ => new CategoricalDistribution(e.GetProperty("choices").EnumerateArray().Select(ParamJson.ReadValue).ToList()),
        };
        var condition = e.TryGetProperty("parent", out var parent)
            ? new Condition(parent.GetString()!, e.GetProperty("when").EnumerateArray().Select(ParamJson.ReadValue).ToList())
            : null;
        return new ParamSpec(e.GetProperty("name").GetString()!, distribution, condition);
    }
}
