using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace GrpcTuner.Storage.Embedded;

/// <summary>
/// Reads a journal record by record and says what is wrong with each damaged one; repairs a
/// journal by keeping every intact record, the damaged file kept beside it.
/// </summary>
public static class JournalCheck
{
    /// <summary>A damaged line and what is wrong with it.</summary>
    public sealed record Damage(long Line, string Problem);

    /// <summary>What a repair kept and dropped, and where the damaged original went.</summary>
    public sealed record RepairResult(int Kept, IReadOnlyList<Damage> Dropped, string? Original);

    /// <summary>Every record of the journal in order; a torn last line (no newline: never acknowledged) is left out.</summary>
    internal static IEnumerable<Record> Read(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            yield break;
        }

        bool endsWithNewline;
        using (var file = File.OpenRead(path))
        {
            file.Seek(-1, SeekOrigin.End);
            endsWithNewline = file.ReadByte() == '\n';
        }

        // Streamed, one line behind: the last line counts only when a newline ends it.
        long number = 0;
        string? previous = null;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (previous is not null)
            {
                yield return Check(number, previous);
            }

            (number, previous) = (number + 1, line);
        }

        if (previous is not null && (endsWithNewline || !IsTorn(previous)))
        {
            yield return Check(number, previous);
        }
    }

    /// <summary>
    /// Whether a last line without its newline is a torn write: a prefix of a record, cut before its
    /// checksum was whole. One with a whole checksum is checked like any line, so that damage to the
    /// final newline cannot pass for a torn write.
    /// </summary>
    internal static bool IsTorn(string tail)
    {
        var tab = tail.LastIndexOf('\t');
        return tab < 0 || tail.Length - tab - 1 < 8;
    }

    /// <summary>The damaged records of a journal; empty when it is whole.</summary>
    public static IReadOnlyList<Damage> Damaged(string path) => Read(path).Where(r => r.Ops is null).Select(r => new Damage(r.Line, r.Problem!)).ToList();

    /// <summary>Rewrites the journal with its intact records only; the original is kept as PATH.damaged-TIMESTAMP.</summary>
    public static RepairResult Repair(string path)
    {
        var records = Read(path).ToList();
        // Flushed and closed before the swap, so that a crash leaves either journal whole.
        var dropped = records.Where(r => r.Ops is null).Select(r => new Damage(r.Line, r.Problem!)).ToList();
        if (dropped.Count == 0)
        {
            return new RepairResult(records.Count, [], null);
        }

        var repaired = path + ".repairing";
        using (var w = new StreamWriter(repaired, append: false, new UTF8Encoding(false)))
        {
            foreach (var r in records.Where(r => r.Ops is not null))
            {
                w.Write(r.Text);
                w.Write('\n');
            }
        }

        var original = $"{path}.damaged-{DateTime.UtcNow:yyyyMMddHHmmss}";
        File.Move(path, original);
        File.Move(repaired, path);
        return new RepairResult(records.Count - dropped.Count, dropped, original);
    }

    private static Record Check(long number, string line)
    {
        var json = line;
        var tab = line.LastIndexOf('\t');
        if (tab >= 0)
        {
            json = line[..tab];
            var stored = line[(tab + 1)..];
            if (!uint.TryParse(stored, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var crc) || stored.Length != 8)
            {
                return new Record(number, line, null, $"the checksum '{stored}' is not 8 hexadecimal digits");
            }

            if (Crc32.HashToUInt32(Encoding.UTF8.GetBytes(json)) != crc)
            {
                return new Record(number, line, null, "the record does not match its checksum");
            }
        }

        try
        {
            return new Record(number, line, Journal.Parse(json), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new Record(number, line, null, $"not a journal record ({e.Message})");
        }
    }

    /// <summary>One line: its ops when intact, else what is wrong with it.</summary>
    internal sealed record Record(long Line, string Text, JournalOp[]? Ops, string? Problem);
}
