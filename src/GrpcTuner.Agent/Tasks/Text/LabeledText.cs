using System.Globalization;
using System.Text.Json;

namespace GrpcTuner.Agent.Tasks.Text;

/// <summary>
/// Text examples with labels, from JSONL ({"text": ..., "label": ...} per line) or CSV (a header
/// with text and label columns). Labels may be integers or strings; strings are numbered in
/// sorted order so every worker numbers them alike.
/// </summary>
public sealed record LabeledText(IReadOnlyList<string> Texts, IReadOnlyList<string> Labels)
{
    public static LabeledText Load(string path)
    {
        var texts = new List<string>();
        var labels = new List<string>();
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = new StreamReader(path);
            var header = SplitCsv(reader.ReadLine() ?? throw new InvalidDataException($"{path}: empty"));
            var (t, l) = (header.IndexOf("text"), header.IndexOf("label"));
            if (t < 0 || l < 0)
            {
                throw new InvalidDataException($"{path}: the header needs 'text' and 'label' columns, got {string.Join(",", header)}");
            }

            while (reader.ReadLine() is { } line)
            {
                var fields = SplitCsv(line);
                texts.Add(fields[t]);
                labels.Add(fields[l]);
            }
        }
        else
        {
            var n = 0;
            foreach (var line in File.ReadLines(path))
            {
                n++;
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (!root.TryGetProperty("text", out var text) || !root.TryGetProperty("label", out var label))
                {
                    throw new InvalidDataException($"{path}:{n}: needs \"text\" and \"label\"");
                }

                texts.Add(text.GetString()!);
                labels.Add(label.ValueKind == JsonValueKind.Number ? label.GetInt64().ToString(CultureInfo.InvariantCulture) : label.GetString()!);
            }
        }

        return new LabeledText(texts, labels);
    }

    /// <summary>Label names in a fixed order: numerically when all are integers, else ordinally.</summary>
    public static IReadOnlyList<string> LabelSet(params LabeledText[] sets)
    {
        var all = sets.SelectMany(s => s.Labels).Distinct().ToList();
        return all.All(l => long.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            ? all.OrderBy(l => long.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : all.Order(StringComparer.Ordinal).ToList();
    }

    public (LabeledText Train, LabeledText Validation) Split(double validationFraction)
    {
        var (trainTexts, validTexts) = ValidationSplit(Texts, validationFraction);
        var (trainLabels, validLabels) = ValidationSplit(Labels, validationFraction);
        return (new LabeledText(trainTexts, trainLabels), new LabeledText(validTexts, validLabels));
    }

    /// <summary>Every k-th item for validation, k = 1 / fraction: deterministic, no shuffle needed, the same for every task.</summary>
    public static (List<T> Train, List<T> Validation) ValidationSplit<T>(IReadOnlyList<T> items, double validationFraction)
    {
        var every = Math.Max(2, (int)Math.Round(1 / validationFraction));
        return (items.Where((_, i) => i % every != every - 1).ToList(), items.Where((_, i) => i % every == every - 1).ToList());
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }
}
