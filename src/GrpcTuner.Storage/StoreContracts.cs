using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage;

/// <summary>
/// A request to start trials. <see cref="Suggestions"/> are used after the queue runs dry: for a
/// free sampler, one per trial; for a sequence sampler, the points from index
/// <c>Window.Start</c> on, of which the store takes the ones at the indexes it claims.
/// </summary>
public sealed record TrialClaim(
    string? RequestId,
    string WorkerId,
    DateTimeOffset Now,
    TimeSpan Lease,
    int Count,
    IReadOnlyList<QueuedParams> Suggestions,
    SequenceWindow? Window = null);

/// <summary>The indexes a set of sequence suggestions stands for, and the sequence length (null: endless).</summary>
public sealed record SequenceWindow(long Start, long? Size);

/// <summary>The outcome of a claim.</summary>
public abstract record ClaimResult
{
    /// <summary>The trials started (a replay of the first answer for a repeated request id).</summary>
    public sealed record Claimed(IReadOnlyList<Trial> Trials) : ClaimResult;

    /// <summary>The sequence counter is at <see cref="Next"/>, outside the window: sample again from there.</summary>
    public sealed record Retry(long Next) : ClaimResult;

    /// <summary>The queue is empty and every point of the finite sequence was handed out.</summary>
    public sealed record Exhausted(long Size) : ClaimResult;
}

/// <summary>What else happens with a trial update, atomically with it.</summary>
public sealed record UpdateOptions(QueuedParams? Requeue = null, DateTimeOffset? OnlyIfLeaseExpiredAt = null)
{
    public static UpdateOptions None { get; } = new();
}

/// <summary>The outcome of an update.</summary>
public abstract record UpdateResult
{
    public sealed record Applied : UpdateResult;

    /// <summary>The trial changed first; <see cref="Current"/> is what it is now.</summary>
    public sealed record Conflict(Trial Current) : UpdateResult;

    public sealed record Missing : UpdateResult;

    public static UpdateResult Ok { get; } = new Applied();
}

/// <summary>A change of one trial, with the cursor after it.</summary>
public sealed record TrialEvent(string Cursor, Trial Trial);

/// <summary>A page of events and the cursor to continue from.</summary>
public sealed record EventPage(IReadOnlyList<TrialEvent> Events, string Cursor);
