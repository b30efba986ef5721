using System.Buffers;
using System.Text;
using System.Text.Json;
using GrpcTuner.Core.Domain;
using GrpcTuner.Storage.Serialization;

namespace GrpcTuner.Storage.Embedded;

/// <summary>
/// An append-only file of JSON lines, one line per acknowledged call, written and flushed before
/// the call returns. Each line ends with a tab and the CRC-32 of its JSON, and replay verifies it:
/// a torn last line (a crash mid-write, no newline) was never acknowledged and is skipped; any other
/// damage stops the replay with an <see cref="InvalidDataException"/> naming the file and the line
/// (<see cref="JournalCheck"/> lists and repairs). Lines of journals written before checksums
/// replay as they are. Lines are appended to a buffer in the store's order and written by group
/// commit: one write serves every caller waiting at that moment, outside the store's lock.
/// </summary>
internal sealed class Journal : IDisposable
{
    private readonly FileStream _file;
    private readonly Lock _bufferLock = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private ArrayBufferWriter<byte> _pending = new(4096);
    private long _appended;
    private long _durable;
    private bool _disposed;

    private readonly bool _fsync;

    private Journal(FileStream file, bool fsync) => (_file, _fsync) = (file, fsync);

    /// <summary>Why the last write to the file failed, or null when it succeeded: what the health check reports.</summary>
    public string? WriteError { get; private set; }

    public string FilePath => _file.Name;

    /// <param name="path">The journal file; created when missing.</param>
    /// <param name="fsync">Each group commit waits for the disk (fsync), so that a power loss loses nothing acknowledged; without it a process crash loses nothing, a power loss the last moments the operating system had not written.</param>
    public static (Journal Journal, List<JournalOp[]> History) Open(string path, bool fsync = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var history = new List<JournalOp[]>();
        foreach (var record in JournalCheck.Read(path))
        {
            history.Add(record.Ops ?? throw new InvalidDataException(
                $"{path}:{record.Line}: {record.Problem}: the journal is damaged and the server will not start on it. "
                + $"'grpctuner journal check {path}' lists every damaged line; 'grpctuner journal repair {path}' keeps every intact record"));
        }

        DropTornTail(path);
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        return (new Journal(file, fsync), history);
    }

    /// <summary>
    /// Cuts a torn last line (never acknowledged), or ends a whole one with its newline, so that the
    /// next record starts a line of its own.
    /// </summary>
    private static void DropTornTail(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var end = file.Length;
        while (end > 0)
        {
            file.Seek(end - 1, SeekOrigin.Begin);
            if (file.ReadByte() == '\n')
            {
                break;
            }

            end--;
        }

        if (end == file.Length)
        {
            return;
        }

        var tail = new byte[file.Length - end];
        file.Seek(end, SeekOrigin.Begin);
        file.ReadExactly(tail);
        if (JournalCheck.IsTorn(Encoding.UTF8.GetString(tail)))
        {
            file.SetLength(end);
        }
        else
        {
            file.Seek(0, SeekOrigin.End);
            file.WriteByte((byte)'\n');
        }
    }

    /// <summary>Buffers one line; returns its sequence number for <see cref="WaitDurableAsync"/>.</summary>
    public long Append(IReadOnlyList<JournalOp> ops)
    {
        lock (_bufferLock)
        {
            var start = _pending.WrittenCount;
            using (var w = new Utf8JsonWriter(_pending))
            {
                w.WriteStartArray();
                foreach (var op in ops)
                {
                    WriteOp(w, op);
                }

                w.WriteEndArray();
            }

            var crc = System.IO.Hashing.Crc32.HashToUInt32(_pending.WrittenSpan[start..]);
            _pending.Write(Encoding.ASCII.GetBytes($"\t{crc:x8}\n"));
            return ++_appended;
        }
    }

    /// <summary>Returns once line <paramref name="sequence"/> and every line before it are written to the file.</summary>
    public async ValueTask WaitDurableAsync(long sequence)
    {
        if (Volatile.Read(ref _durable) >= sequence)
        {
            return;
        }

        await _flushGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_durable >= sequence)
            {
                return;
            }

            ArrayBufferWriter<byte> batch;
            long upTo;
            lock (_bufferLock)
            {
                (batch, _pending) = (_pending, new ArrayBufferWriter<byte>(4096));
                upTo = _appended;
            }

            try
            {
                _file.Write(batch.WrittenSpan);
                _file.Flush(flushToDisk: _fsync);
                WriteError = null;
            }
            catch (IOException e)
            {
                WriteError = e.Message;
                throw;
            }

            Volatile.Write(ref _durable, upTo);
        }
        finally
        {
            _flushGate.Release();
        }
    }

    public void Dispose()
    {
        lock (_bufferLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _file.Write(_pending.WrittenSpan);
            _pending.Clear();
            _file.Dispose();
        }
    }

    private static void WriteOp(Utf8JsonWriter w, JournalOp op)
    {
        w.WriteStartObject();
        w.WriteString("id", op.StudyId);
        switch (op)
        {
            case JournalOp.PutStudy s:
                w.WriteString("op", "study");
                w.WriteString("study", StudyJson.Write(s.Study));
                break;
            case JournalOp.DeleteStudy:
                w.WriteString("op", "delete");
                break;
            case JournalOp.PutTrial t:
                w.WriteString("op", "trial");
                w.WriteString("trial", TrialJson.Write(t.Trial, t.Previous is { } before ? IntermediateSeries.Added(before.Intermediate, t.Trial.Intermediate) : t.Trial.Intermediate));
                break;
            case JournalOp.SetLease l:
                w.WriteString("op", "lease");
                w.WriteNumber("n", l.Number);
                if (l.Deadline is { } d)
                {
                    w.WriteNumber("deadline", d.ToUnixTimeMilliseconds());
                }

                break;
            case JournalOp.Push p:
                w.WriteString("op", "push");
                w.WriteString("body", TrialJson.Body(p.Entry));
                break;
            case JournalOp.Pop:
                w.WriteString("op", "pop");
                break;
            case JournalOp.Advance a:
                w.WriteString("op", "advance");
                w.WriteNumber("next", a.Next);
                break;
            case JournalOp.Remember r:
                w.WriteString("op", "request");
                w.WriteString("rid", r.RequestId);
                w.WriteStartArray("numbers");
                foreach (var n in r.Numbers)
                {
                    w.WriteNumberValue(n);
                }

                w.WriteEndArray();
                break;
            case JournalOp.PutKey k:
                w.WriteString("op", "key");
                w.WriteString("key", ApiKeyJson.Write(k.Key));
                break;
        }

        w.WriteEndObject();
    }

    /// <summary>The ops of one line's JSON; a <see cref="JsonException"/>, <see cref="KeyNotFoundException"/> or <see cref="InvalidOperationException"/> when it is not a record.</summary>
    internal static JournalOp[] Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(ReadOp).ToArray();
    }

    private static JournalOp ReadOp(JsonElement e)
    {
        var id = e.GetProperty("id").GetString()!;
        return e.GetProperty("op").GetString() switch
        {
            "study" => new JournalOp.PutStudy(StudyJson.Read(e.GetProperty("study").GetString()!)),
            "delete" => new JournalOp.DeleteStudy(id),
            "trial" => new JournalOp.PutTrial(id, TrialJson.Read(e.GetProperty("trial").GetString()!)),
            "lease" => new JournalOp.SetLease(id, e.GetProperty("n").GetInt64(),
                e.TryGetProperty("deadline", out var d) ? DateTimeOffset.FromUnixTimeMilliseconds(d.GetInt64()) : null),
            "push" => new JournalOp.Push(id, TrialJson.ReadBody(e.GetProperty("body").GetString()!)),
            "pop" => new JournalOp.Pop(id),
            "advance" => new JournalOp.Advance(id, e.GetProperty("next").GetInt64()),
            "request" => new JournalOp.Remember(id, e.GetProperty("rid").GetString()!, e.GetProperty("numbers").EnumerateArray().Select(x => x.GetInt64()).ToArray()),
            "key" => new JournalOp.PutKey(ApiKeyJson.Read(e.GetProperty("key").GetString()!)),
            var other => throw new JsonException($"unknown journal op '{other}'"),
        };
    }
}
