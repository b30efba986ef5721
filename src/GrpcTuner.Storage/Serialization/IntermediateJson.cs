using System.Buffers;
using System.Text;
using System.Text.Json;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage.Serialization;

/// <summary>
/// Intermediate values as JSON pairs <c>[step,value]</c>. Redis keeps a trial's series as a string
/// of such pairs, each led by a comma, that a report's script only appends to; the order is the
/// order of arrival and the reader sorts.
/// </summary>
public static class IntermediateJson
{
    public static void WriteArray(Utf8JsonWriter w, IEnumerable<IntermediateValue> values)
    {
        w.WriteStartArray();
        foreach (var iv in values)
        {
            w.WriteStartArray();
            w.WriteNumberValue(iv.Step);
            w.WriteNumberValue(iv.Value);
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    /// <summary>Sorted by step; a step given twice keeps its first value.</summary>
    public static IReadOnlyList<IntermediateValue> ReadArray(JsonElement array) =>
        IntermediateSeries.With([], array.EnumerateArray().Select(x => new IntermediateValue(x[0].GetInt64(), x[1].GetDouble())));

    /// <summary>",[s,v],[s,v]...": what a change appends to the stored series; empty for none.</summary>
    public static string Fragment(IReadOnlyList<IntermediateValue> values)
    {
        if (values.Count == 0)
        {
            return "";
        }

        var buffer = new ArrayBufferWriter<byte>(16 * values.Count);
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteArray(w, values);
        }

        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return "," + json[1..^1];
    }

    /// <summary>Reads a stored series of fragments (null or empty: none).</summary>
    public static IReadOnlyList<IntermediateValue> ReadFragments(string? fragments)
    {
        if (string.IsNullOrEmpty(fragments))
        {
            return [];
        }

        using var doc = JsonDocument.Parse("[" + fragments.AsSpan(1).ToString() + "]");
        return ReadArray(doc.RootElement);
    }
}
