using System.Text.Json;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage.Serialization;

/// <summary>
/// Distributions as JSON members (<c>"type":"float","low":0,"high":1,"log":false</c>), written into
/// an object the caller opened: a study's parameter specs and a trial's define-by-run parameters share them.
/// </summary>
public static class DistributionJson
{
    public static void WriteMembers(Utf8JsonWriter w, Distribution distribution)
    {
        switch (distribution)
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
    }

    public static Distribution Read(JsonElement e) => e.GetProperty("type").GetString() switch
    {
        "float" => new FloatDistribution(e.GetProperty("low").GetDouble(), e.GetProperty("high").GetDouble(), e.GetProperty("log").GetBoolean(),
            e.TryGetProperty("step", out var s) ? s.GetDouble() : null),
        "int" => new IntDistribution(e.GetProperty("low").GetInt64(), e.GetProperty("high").GetInt64(), e.GetProperty("log").GetBoolean(), e.GetProperty("step").GetInt64()),
        "categorical" => new CategoricalDistribution(e.GetProperty("choices").EnumerateArray().Select(ParamJson.ReadValue).ToList()),
        var other => throw new JsonException($"unknown distribution type '{other}'"),
    };

    /// <summary>A map of name to distribution, as an object of objects.</summary>
    public static void WriteMap(Utf8JsonWriter w, IReadOnlyDictionary<string, Distribution> distributions)
    {
        w.WriteStartObject();
        foreach (var (name, d) in distributions)
        {
            w.WriteStartObject(name);
            WriteMembers(w, d);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static Dictionary<string, Distribution> ReadMap(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => Read(p.Value), StringComparer.Ordinal);

    /// <summary>Proposals: <c>{"name":{"v":VALUE,"d":{DISTRIBUTION}}}</c>, without "d" for an enqueued value.</summary>
    public static void WriteProposals(Utf8JsonWriter w, IReadOnlyDictionary<string, Proposal> proposals)
    {
        w.WriteStartObject();
        foreach (var (name, p) in proposals)
        {
            w.WriteStartObject(name);
            w.WritePropertyName("v");
            ParamJson.WriteValue(w, p.Value);
            if (p.Distribution is { } d)
            {
                w.WriteStartObject("d");
                WriteMembers(w, d);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static Dictionary<string, Proposal> ReadProposals(JsonElement e) =>
        e.EnumerateObject().ToDictionary(
            p => p.Name,
            p => new Proposal(ParamJson.ReadValue(p.Value.GetProperty("v")), p.Value.TryGetProperty("d", out var d) ? Read(d) : null),
            StringComparer.Ordinal);

    public static void WriteValues(Utf8JsonWriter w, string name, IReadOnlyList<ParamValue> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            ParamJson.WriteValue(w, v);
        }

        w.WriteEndArray();
    }
}
