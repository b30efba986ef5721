using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GrpcTuner.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Reports;

/// <summary>
/// One trial as the pages draw it; the dashboard's live updates send trials in this form too. It is
/// written field by field: a 10,000-trial page is most of a cold dashboard load, and reflection over
/// anonymous objects cost several times as much. Its params are the client's plain params (name
/// order, plain values), as every other JSON the CLI writes has them.
/// </summary>
[JsonConverter(typeof(Writer))]
internal sealed class DrawnTrial(Trial trial)
{
    private readonly Trial _trial = trial;

    private sealed class Writer : JsonConverter<DrawnTrial>
    {
        // Property names encoded once, not at each of ten thousand trials.
        private static readonly JsonEncodedText Number = JsonEncodedText.Encode("number"), State = JsonEncodedText.Encode("state"),
            Values = JsonEncodedText.Encode("values"), Params = JsonEncodedText.Encode("params"), Curve = JsonEncodedText.Encode("curve"),
            Lineage = JsonEncodedText.Encode("lineage"), Step = JsonEncodedText.Encode("step"), Parent = JsonEncodedText.Encode("parent"),
            Worker = JsonEncodedText.Encode("worker"), Start = JsonEncodedText.Encode("start"), Complete = JsonEncodedText.Encode("complete"),
            Cpu = JsonEncodedText.Encode("cpu");

        private static readonly Dictionary<TrialState, JsonEncodedText> States = Enum.GetValues<TrialState>().ToDictionary(s => s, s => JsonEncodedText.Encode(TrialFormat.State(s)));

        public override DrawnTrial Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("a drawn trial is only written");

        public override void Write(Utf8JsonWriter w, DrawnTrial value, JsonSerializerOptions options)
        {
            var t = value._trial;
            w.WriteStartObject();
            w.WriteNumber(Number, t.Number);
            w.WriteString(State, States.TryGetValue(t.State, out var state) ? state : JsonEncodedText.Encode(TrialFormat.State(t.State)));
            w.WriteStartArray(Values);
            foreach (var v in t.Values)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            w.WritePropertyName(Params);
            JsonSerializer.Serialize(w, TrialFormat.PlainParams(t), options);
            w.WriteStartArray(Curve);
            foreach (var iv in t.IntermediateValues)
            {
                w.WriteStartArray();
                w.WriteNumberValue(iv.Step);
                WriteDrawn(w, iv.Value);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteStartArray(Lineage);
            foreach (var e in t.Lineage)
            {
                w.WriteStartObject();
                w.WriteNumber(Step, e.Step);
                w.WriteNumber(Parent, e.Parent);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString(Worker, t.WorkerId);
            // Milliseconds since 1970, as JavaScript's Date takes them.
            WriteTime(w, Start, t.StartTime);
            WriteTime(w, Complete, t.CompleteTime);
            w.WriteNumber(Cpu, t.Compute?.CpuSeconds ?? 0);
            w.WriteEndObject();
        }

        // Drawn, never read back: seven significant digits are more than a plot shows, and a third of the bytes.
        private static void WriteDrawn(Utf8JsonWriter w, double value)
        {
            Span<byte> text = stackalloc byte[32];
            if (double.IsFinite(value) && value.TryFormat(text, out var length, "G7", CultureInfo.InvariantCulture))
            {
                w.WriteRawValue(text[..length], skipInputValidation: true);
            }
            else
            {
                w.WriteNumberValue(value);
            }
        }

        private static void WriteTime(Utf8JsonWriter w, JsonEncodedText name, Google.Protobuf.WellKnownTypes.Timestamp? time)
        {
            if (time is null)
            {
                w.WriteNull(name);
            }
            else
            {
                w.WriteNumber(name, time.ToDateTimeOffset().ToUnixTimeMilliseconds());
            }
        }
    }
}
