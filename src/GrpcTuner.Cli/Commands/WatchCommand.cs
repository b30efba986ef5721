using GrpcTuner.Agent.Commands;
using System.CommandLine;
using Grpc.Core;
using GrpcTuner.Cli.Specs;
using GrpcTuner.Cli.Watching;
using GrpcTuner.V1;
using Spectre.Console;

namespace GrpcTuner.Cli.Commands;

/// <summary>
/// <c>grpctuner watch STUDY</c>: follows WatchStudy. On a terminal, a live view; otherwise one JSON
/// line per event. A dropped stream resumes from its last cursor, so no change is missed or lost.
/// </summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("study") { Description = "Study name" };
        var until = new Option<int?>("--until") { Description = "Exit 0 once this many trials have finished (complete, pruned or failed)" };
        var timeout = DurationOption.Create("--timeout", "Stop watching after this long; with --until, exit 1 if it was not reached");
        var json = new Option<bool>("--json") { Description = "JSON lines even on a terminal (the default when output is redirected)" };
        var command = new Command("watch", "Follow a study live: progress, best so far, trials by state (JSON lines when not on a terminal)")
        {
            name, until, timeout, json,
        }.WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var target = parse.GetValue(until);
            if (target is <= 0)
            {
                throw new SpecException($"--until: must be at least 1, got {target}");
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (parse.GetValue(timeout) is { } t)
            {
                limit.CancelAfter(t);
            }

            var study = await client.LoadStudyAsync(parse.GetValue(name)!, ct);
            var progress = new StudyProgress(study.Info);
            var events = FollowAsync(client.Raw, study.Name, limit.Token);
            var reached = parse.GetValue(json) || Console.IsOutputRedirected
                ? await JsonLinesAsync(events, progress, target)
                : await LiveAsync(events, progress, target);
            if (target is not null && !reached && !ct.IsCancellationRequested)
            {
                throw new SpecException($"--timeout: {progress.Finished} of {target} trials finished in time");
            }
        }));
        return command;
    }

    private static async Task<bool> JsonLinesAsync(IAsyncEnumerable<TrialEvent> events, StudyProgress progress, int? target)
    {
        await foreach (var e in events)
        {
            progress.Apply(e.Trial);
            Console.WriteLine(WatchJson.Line(e.Cursor, e.Trial, progress));
            if (progress.Finished >= target)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The live view: the first frame at once, then redraws at most ten times a second from a timer,
    /// so a burst of events costs few redraws and its last event is always drawn.
    /// </summary>
    private static async Task<bool> LiveAsync(IAsyncEnumerable<TrialEvent> events, StudyProgress progress, int? target)
    {
        var reached = false;
        var gate = new Lock();
        var version = 0;
        await AnsiConsole.Live(WatchView.Render(progress, target)).StartAsync(async live =>
        {
            live.Refresh();
            using var stop = new CancellationTokenSource();
            var drawer = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
                var drawn = 0;
                while (await Ticked(timer, stop.Token))
                {
                    lock (gate)
                    {
                        if (drawn != version)
                        {
                            live.UpdateTarget(WatchView.Render(progress, target));
                            live.Refresh();
                            drawn = version;
                        }
                    }
                }
            });
            await foreach (var e in events)
            {
                lock (gate)
                {
                    progress.Apply(e.Trial);
                    version++;
                    reached = progress.Finished >= target;
                }

                if (reached)
                {
                    break;
                }
            }

            await stop.CancelAsync();
            await drawer;
            live.UpdateTarget(WatchView.Render(progress, target));
            live.Refresh();
        });
        return reached;
    }

    private static async Task<bool> Ticked(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Every event until cancelled; after UNAVAILABLE (a replica restarting), resumes from the last cursor.</summary>
    private static async IAsyncEnumerable<TrialEvent> FollowAsync(
        TunerService.TunerServiceClient client, string study, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var cursor = "";
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!ct.IsCancellationRequested)
        {
            using var call = client.WatchStudy(new WatchStudyRequest { Study = study, Cursor = cursor }, cancellationToken: ct);
            var stream = call.ResponseStream;
            while (true)
            {
                bool next;
                try
                {
                    next = await stream.MoveNext(ct);
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Cancelled || ct.IsCancellationRequested)
                {
                    yield break;
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable)
                {
                    break;
                }

                if (!next)
                {
                    break;
                }

                cursor = stream.Current.Cursor;
                backoff = TimeSpan.FromMilliseconds(100);
                yield return stream.Current;
            }

            try
            {
                await Task.Delay(backoff, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }
}
