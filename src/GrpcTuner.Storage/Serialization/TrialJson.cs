using System.Buffers;
using System.Text;
using System.Text.Json;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage.Serialization;

/// <summary>
/// The stored form of a trial: compact JSON whose first member is always <c>"ver"</c>, so that a
/// Lua script can read the version without decoding (Redis' cjson would round doubles to 14
/// digits). A record is also assembled from fragments, <c>{"ver":0,"n":N,HEAD,BODY}</c>, so that
/// a script can number a trial it starts.
/// </summary>
public static class TrialJson
{
    public static string Write(Trial t) => Write(t, t.Intermediate);

    /// <summary>The record with <paramref name="intermediate"/> as its intermediate values: the stores keep a trial's series apart and write only what a change added.</summary>
    public static string Write(Trial t, IReadOnlyList<IntermediateValue> intermediate)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("ver", t.Version);
            w.WriteNumber("n", t.Number);
            WriteHeadMembers(w, t.State, t.WorkerId, t.StartTime, t.LeaseDeadline, t.LeaseDuration);
            WriteBodyMembers(w, t.Params, t.UserAttrs, t.RetriedFrom, t.Proposals);
            if (t.Values.Count > 0)
            {
                w.WriteStartArray("v");
                foreach (var v in t.Values)
                {
                    w.WriteNumberValue(v);
                }

                w.WriteEndArray();
            }

            if (intermediate.Count > 0)
            {
                w.WritePropertyName("i");
                IntermediateJson.WriteArray(w, intermediate);
            }

            if (t.CompleteTime is { } end)
            {
                w.WriteNumber("t1", end.ToUnixTimeMilliseconds());
            }

            if (t.Reason.Length > 0)
            {
                w.WriteString("why", t.Reason);
            }

            if (t.Checkpoint.Length > 0)
            {
                w.WriteString("ck", t.Checkpoint);
            }

            if (t.Lineage.Count > 0)
            {
                w.WriteStartArray("lin");
                foreach (var entry in t.Lineage)
                {
                    w.WriteStartObject();
                    w.WriteNumber("s", entry.Step);
                    w.WriteNumber("p", entry.Parent);
                    w.WriteString("c", entry.Checkpoint);
                    w.WritePropertyName("o");
                    ParamJson.WriteParams(w, entry.OldParams);
                    w.WritePropertyName("n");
                    ParamJson.WriteParams(w, entry.NewParams);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            if (t.Distributions.Count > 0)
            {
                w.WritePropertyName("dist");
                DistributionJson.WriteMap(w, t.Distributions);
            }

            if (t.Compute is { } c)
            {
                w.WriteStartObject("cp");
                w.WriteNumber("w", c.WallSeconds);
                w.WriteNumber("c", c.CpuSeconds);
                w.WriteString("k", c.DeviceKind);
                w.WriteNumber("n", c.DeviceCount);
                w.WriteNumber("s", c.Samples);
                w.WriteNumber("e", c.Epochs);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Members shared by every trial a claim starts, without braces.</summary>
    public static string Head(string workerId, DateTimeOffset now, TimeSpan lease) =>
        Fragment(w => WriteHeadMembers(w, TrialState.Running, workerId, now, now + lease, lease));

    /// <summary>Members of one queued or suggested param set, without braces.</summary>
    public static string Body(QueuedParams body) => Fragment(w => WriteBodyMembers(w, body.Params, body.UserAttrs, body.RetriedFrom, body.Proposals));

    /// <summary>Members of a finished trial to import, everything but version, number and intermediate values, without braces.</summary>
    public static string ImportBody(Trial t)
    {
        var full = Write(t, []);
        var afterNumber = full.IndexOf(",\"s\":", StringComparison.Ordinal);
        return full[(afterNumber + 1)..^1];
    }

    public static string Assemble(long number, string head, string body) => $"{{\"ver\":0,\"n\":{number},{head},{body}}}";

    public static QueuedParams ReadBody(string fragment)
    {
        var t = Read($"{{\"ver\":0,\"n\":0,\"s\":1,{fragment}}}");
        return new QueuedParams(t.Params, t.UserAttrs, t.RetriedFrom) { Proposals = t.Proposals };
    }

    public static Trial Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Read(doc.RootElement);
    }

    public static Trial Read(JsonElement e)
    {
        var values = e.TryGetProperty("v", out var v) ? v.EnumerateArray().Select(x => x.GetDouble()).ToArray() : [];
        var intermediate = e.TryGetProperty("i", out var i) ? IntermediateJson.ReadArray(i) : [];
        return new Trial
        {
            Version = e.GetProperty("ver").GetInt64(),
            Number = e.GetProperty("n").GetInt64(),
            State = (TrialState)e.GetProperty("s").GetInt32(),
            Params = ParamJson.ReadParams(e.TryGetProperty("p", out var p) ? p : default),
            Values = values,
            Intermediate = intermediate,
            WorkerId = e.TryGetProperty("w", out var w) ? w.GetString()! : "",
            StartTime = Time(e, "t0"),
            CompleteTime = Time(e, "t1"),
            LeaseDeadline = Time(e, "ld"),
            LeaseDuration = e.TryGetProperty("lms", out var lms) ? TimeSpan.FromMilliseconds(lms.GetInt64()) : TimeSpan.Zero,
            UserAttrs = e.TryGetProperty("u", out var u) ? ParamJson.ReadAttrs(u) : Trial.EmptyAttrs,
            RetriedFrom = e.TryGetProperty("r", out var r) ? r.GetInt64() : null,
            Reason = e.TryGetProperty("why", out var why) ? why.GetString()! : "",
            Checkpoint = e.TryGetProperty("ck", out var ck) ? ck.GetString()! : "",
            Lineage = e.TryGetProperty("lin", out var lin)
                ? lin.EnumerateArray().Select(x => new LineageEntry(x.GetProperty("s").GetInt64(), x.GetProperty("p").GetInt64(), x.GetProperty("c").GetString()!,
                    ParamJson.ReadParams(x.GetProperty("o")), ParamJson.ReadParams(x.GetProperty("n")))).ToArray()
                : [],
            Distributions = e.TryGetProperty("dist", out var dist) ? DistributionJson.ReadMap(dist) : Trial.EmptyDistributions,
            Proposals = e.TryGetProperty("pr", out var pr) ? DistributionJson.ReadProposals(pr) : Proposal.None,
            Compute = e.TryGetProperty("cp", out var cp)
                ? new Compute(cp.GetProperty("w").GetDouble(), cp.GetProperty("c").GetDouble(), cp.GetProperty("k").GetString()!, cp.GetProperty("n").GetInt32(),
                    cp.GetProperty("s").GetInt64(), cp.GetProperty("e").GetInt64())
                : null,
        };
    }

    private static void WriteHeadMembers(Utf8JsonWriter w, TrialState state, string worker, DateTimeOffset? start, DateTimeOffset? deadline, TimeSpan lease)
    {
        w.WriteNumber("s", (int)state);
        if (worker.Length > 0)
        {
            w.WriteString("w", worker);
        }

        if (start is { } s)
        {
            w.WriteNumber("t0", s.ToUnixTimeMilliseconds());
        }

        if (deadline is { } d)
        {
            w.WriteNumber("ld", d.ToUnixTimeMilliseconds());
        }

        if (lease > TimeSpan.Zero)
        {
            w.WriteNumber("lms", (long)lease.TotalMilliseconds);
        }
    }

    private static void WriteBodyMembers(Utf8JsonWriter w, IReadOnlyDictionary<string, ParamValue> ps, IReadOnlyDictionary<string, string> attrs, long? retriedFrom,
        IReadOnlyDictionary<string, Proposal> proposals)
    {
        w.WritePropertyName("p");
        ParamJson.WriteParams(w, ps);
        if (attrs.Count > 0)
        {
            w.WritePropertyName("u");
            ParamJson.WriteAttrs(w, attrs);
        }

        if (retriedFrom is { } r)
        {
            w.WriteNumber("r", r);
        }

        if (proposals.Count > 0)
        {
            w.WritePropertyName("pr");
            DistributionJson.WriteProposals(w, proposals);
        }
    }

    private static string Fragment(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }

        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return json[1..^1];
    }

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var x) ? DateTimeOffset.FromUnixTimeMilliseconds(x.GetInt64()) : null;
}
