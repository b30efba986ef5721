using System.Text.Json;
using System.Threading.Channels;
using Grpc.Core;
using GrpcTuner.Cli.Reports;
using GrpcTuner.Client;
using GrpcTuner.V1;
using Microsoft.AspNetCore.Http;

namespace GrpcTuner.Cli.Dashboard;

/// <summary>
/// A study's trial changes as server-sent events: one WatchStudy stream per open page, whatever
/// happens. Changes that arrive while the page is still reading the last batch go out together as
/// one event whose id is the cursor of the last of them, so a page that catches up on thousands of
/// changes parses a few messages. A replica that restarts or dies is watched again from that cursor;
/// a page that reconnects sends it back as Last-Event-ID.
/// </summary>
internal static class LiveEvents
{
    private const int MaxBatch = 2000;
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    public static async Task StreamAsync(HttpContext http, TunerClient client, string study)
    {
        var ct = http.RequestAborted;
        var cursor = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? "";
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        // Backpressure: a page that reads slowly slows the watch down, instead of filling this process's memory.
        var changes = Channel.CreateBounded<TrialEvent>(new BoundedChannelOptions(4 * MaxBatch) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watching = WatchAsync(client, study, cursor, changes.Writer, stop.Token);
        try
        {
            await http.Response.WriteAsync(": watching\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            while (true)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                quiet.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await changes.Reader.WaitToReadAsync(quiet.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                var batch = new List<TrialEvent>();
                while (batch.Count < MaxBatch && changes.Reader.TryRead(out var e))
                {
                    batch.Add(e);
                }

                var data = JsonSerializer.Serialize(batch.Select(e => ReportData.Of(e.Trial)));
                await http.Response.WriteAsync($"id: {batch[^1].Cursor}\nevent: trials\ndata: {data}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
            }

            // The watch refused the study or the key: the page shows why and does not reconnect.
            if (await watching is { } refusal)
            {
                await http.Response.WriteAsync($"event: refused\ndata: {JsonSerializer.Serialize(new { code = refusal.StatusCode.ToString(), error = refusal.Status.Detail })}\n\n", ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page went away; its watch ends with it.
        }
        finally
        {
            await stop.CancelAsync();
            await watching.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <returns>The refusal that ended the watch, or null when the page went away.</returns>
    private static async Task<RpcException?> WatchAsync(TunerClient client, string study, string cursor, ChannelWriter<TrialEvent> changes, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    using var call = client.Raw.WatchStudy(new WatchStudyRequest { Study = study, Cursor = cursor }, cancellationToken: ct);
                    await foreach (var e in call.ResponseStream.ReadAllAsync(ct))
                    {
                        await changes.WriteAsync(e, ct);
                        cursor = e.Cursor;
                        backoff = TimeSpan.FromMilliseconds(100);
                    }
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument)
                {
                    return e;
                }
                catch (RpcException) when (!ct.IsCancellationRequested)
                {
                    // A replica that stopped or died: watch again from the cursor, on whichever replica answers.
                }

                await Task.Delay(backoff, ct);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }

            return null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            changes.TryComplete();
        }
    }
}
