using System.Globalization;
using System.Text.Json;

namespace GrpcTuner.Agent.Tasks.Text;

/// <summary>
/// Classification examples: a text, or a sentence pair (text and text_pair, as in RTE or MNLI),
/// with a label. From JSONL ({"text": ..., "text_pair": ..., "label": ...} per line, text_pair
/// optional) or CSV (a header with text, label and optionally text_pair). Labels may be integers
/// or strings; strings are numbered in sorted order so every worker numbers them alike.
/// </summary>
public sealed record LabeledText(IReadOnlyList<string> Texts, IReadOnlyList<string>? Pairs, IReadOnlyList<string> Labels)
{
    public int Count => Texts.Count;

    public static LabeledText Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist", path);
        }

        var (texts, pairs, labels) = (new List<string>(), new List<string?>(), new List<string>());
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = new StreamReader(path);
            var header = CsvLine.Split(reader.ReadLine() ?? throw new InvalidDataException($"{path}: empty"));
            var (t, p, l) = (header.IndexOf("text"), header.IndexOf("text_pair"), header.IndexOf("label"));
            if (t < 0 || l < 0)
            {
                throw new InvalidDataException($"{path}: the header needs 'text' and 'label' columns (and 'text_pair' for pairs), got {string.Join(",", header)}");
            }

            var n = 1;
            while (reader.ReadLine() is { } line)
            {
                n++;
                var fields = CsvLine.Split(line);
                if (fields.Count != header.Count)
                {
                    throw new InvalidDataException($"{path}:{n}: {fields.Count} fields where the header has {header.Count}");
                }

                texts.Add(fields[t]);
                pairs.Add(p < 0 ? null : fields[p]);
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

                try
                {
                    using var doc = JsonDocument.Parse(line);
                    var root = doc.RootElement;
                    if (!root.TryGetProperty("text", out var text) || !root.TryGetProperty("label", out var label))
                    {
                        throw new InvalidDataException($"{path}:{n}: needs \"text\" and \"label\"");
                    }

                    texts.Add(text.GetString()!);
                    pairs.Add(root.TryGetProperty("text_pair", out var pair) ? pair.GetString() : null);
                    labels.Add(label.ValueKind == JsonValueKind.Number ? label.GetInt64().ToString(CultureInfo.InvariantCulture) : label.GetString()!);
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
                {
                    throw new InvalidDataException($"{path}:{n}: {e.Message}", e);
                }
            }
        }

        if (pairs.Any(x => x is null) && pairs.Any(x => x is not null))
        {
            throw new InvalidDataException($"{path}: text_pair is on some examples and not others; give it on every one or none");
        }

        return new LabeledText(texts, pairs.All(x => x is not null) && pairs.Count > 0 ? pairs.Select(x => x!).ToList() : null, labels);
    }

    /// <summary>Label names in a fixed order: numerically when all are integers, else ordinally.</summary>
    public static IReadOnlyList<string> LabelSet(params LabeledText[] sets)
    {
        var all = sets.SelectMany(s => s.Labels).Distinct().ToList();
        return all.All(l => long.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            ? all.OrderBy(l => long.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : all.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The share of the most common label: what always guessing it would score.</summary>
    public double MajorityShare => Count == 0 ? 0 : Labels.GroupBy(l => l).Max(g => g.Count()) / (double)Count;

    public (LabeledText Train, LabeledText Validation) Split(double validationFraction)
    {
        var (trainTexts, validTexts) = ValidationSplit(Texts, validationFraction);
        var (trainLabels, validLabels) = ValidationSplit(Labels, validationFraction);
        var (trainPairs, validPairs) = Pairs is null ? (null, null) : ValidationSplit(Pairs, validationFraction);
        return (new LabeledText(trainTexts, trainPairs, trainLabels), new LabeledText(validTexts, validPairs, validLabels));
    }

    /// <summary>Every k-th item for validation, k = 1 / fraction: deterministic, no shuffle needed, the same for every task.</summary>
    public static (List<T> Train, List<T> Validation) ValidationSplit<T>(IReadOnlyList<T> items, double validationFraction)
    {
        var every = Math.Max(2, (int)Math.Round(1 / validationFraction));
        return (items.Where((_, i) => i % every != every - 1).ToList(), items.Where((_, i) => i % every == every - 1).ToList());
    }
}
