using System.Text.Json;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage.Serialization;

/// <summary>Typed parameter values as JSON: <c>{"f":1.5}</c>, <c>{"i":3}</c>, <c>{"s":"adam"}</c>, <c>{"b":true}</c>.</summary>
public static class ParamJson
{
    public static void WriteValue(Utf8JsonWriter w, ParamValue v)
    {
        w.WriteStartObject();
        switch (v.Kind)
        {
            case ParamKind.Float:
                w.WriteNumber("f", v.AsFloat);
                break;
            case ParamKind.Int:
                w.WriteNumber("i", v.AsInt);
                break;
            case ParamKind.String:
                w.WriteString("s", v.AsString);
                break;
            default:
                w.WriteBoolean("b", v.AsBool);
                break;
        }

        w.WriteEndObject();
    }

    public static ParamValue ReadValue(JsonElement e)
    {
        var prop = e.EnumerateObject().First();
        return prop.Name switch
        {
            "f" => ParamValue.Of(prop.Value.GetDouble()),
            "i" => ParamValue.Of(prop.Value.GetInt64()),
            "s" => ParamValue.Of(prop.Value.GetString()!),
            "b" => ParamValue.Of(prop.Value.GetBoolean()),
            _ => throw new JsonException($"unknown parameter value tag '{prop.Name}'"),
        };
    }

    public static void WriteParams(Utf8JsonWriter w, IReadOnlyDictionary<string, ParamValue> ps)
    {
        w.WriteStartObject();
        foreach (var (name, value) in ps)
        {
            w.WritePropertyName(name);
            WriteValue(w, value);
        }

        w.WriteEndObject();
    }

    public static Dictionary<string, ParamValue> ReadParams(JsonElement e)
    {
        var result = new Dictionary<string, ParamValue>(StringComparer.Ordinal);
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var prop in e.EnumerateObject())
            {
                result[prop.Name] = ReadValue(prop.Value);
            }
        }

        return result;
    }

    public static void WriteAttrs(Utf8JsonWriter w, IReadOnlyDictionary<string, string> attrs)
    {
        w.WriteStartObject();
        foreach (var (k, v) in attrs)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }

    public static Dictionary<string, string> ReadAttrs(JsonElement e)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var prop in e.EnumerateObject())
        {
            result[prop.Name] = prop.Value.GetString()!;
        }

        return result;
    }
}
