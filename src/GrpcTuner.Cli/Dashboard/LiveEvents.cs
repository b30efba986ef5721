using System.Text.Json;
using GrpcTuner.Cli.Reports;
using GrpcTuner.V1;
using Microsoft.AspNetCore.Http;

namespace GrpcTuner.Cli.Dashboard;

/// <summary>
/// A study's trial changes as server-sent events, from the dashboard's view of the study: the server
/// sees one WatchStudy stream per study a key's pages look at, however many pages there are. Changes
/// that arrive while the page is still reading the last batch go out together as one event whose id
/// is the cursor of the last of them, so a page that catches up on thousands of changes parses a few
/// messages. A page that reconnects sends that id back as Last-Event-ID; one that was away too long
/// is told to load the study again.
/// </summary>
internal static class LiveEvents
{
    private const int MaxBatch = 2000;
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(HttpContext http, StudyView view)
    {
        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var cursor = http.Request.Headers["Last-Event-ID"].FirstOrDefault();
        var changes = view.Subscribe(string.IsNullOrEmpty(cursor) ? null : cursor);
        if (changes is null)
        {
            await http.Response.WriteAsync("event: reload\ndata: {}\n\n", ct);
            return;
        }

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
                    more = await changes.WaitToReadAsync(quiet.Token);
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
                while (batch.Count < MaxBatch && changes.TryRead(out var e))
                {
                    batch.Add(e);
                }

                var data = JsonSerializer.Serialize(batch.Select(e => ReportData.Of(e.Trial)));
                await http.Response.WriteAsync($"id: {batch[^1].Cursor}\nevent: trials\ndata: {data}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
            }

            // The server refused the watch (the study was deleted, the key revoked): the page shows why and stays.
            if (view.Refusal is { } refusal)
            {
                await http.Response.WriteAsync($"event: refused\ndata: {JsonSerializer.Serialize(new { code = refusal.StatusCode.ToString(), error = refusal.Status.Detail })}\n\n", ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page went away.
        }
        finally
        {
            view.Unsubscribe(changes);
        }
    }
}
