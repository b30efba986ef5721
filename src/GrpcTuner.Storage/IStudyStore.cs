using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage;

/// <summary>
/// Where studies and trials live. Every method is one atomic change or one consistent read; the
/// rules of what may change are in <see cref="TrialTransitions"/>, so stores only apply changes.
/// Failures to reach the backing store surface as <c>TunerException</c> of kind Unavailable.
/// </summary>
public interface IStudyStore : IAsyncDisposable
{
    /// <summary>Creates a study, or returns the existing one of that name when <paramref name="loadIfExists"/>; otherwise AlreadyExists.</summary>
    Task<Study> CreateStudyAsync(StudyDefinition definition, bool loadIfExists, CancellationToken ct);

    Task<Study?> FindStudyAsync(string name, CancellationToken ct);

    /// <summary>Studies in name order with names after <paramref name="afterName"/>.</summary>
    Task<IReadOnlyList<Study>> ListStudiesAsync(string? afterName, int limit, CancellationToken ct);

    Task<bool> DeleteStudyAsync(string name, CancellationToken ct);

    /// <summary>Every trial, index = number, including every change acknowledged before the call.</summary>
    Task<IReadOnlyList<Trial>> GetTrialsAsync(Study study, CancellationToken ct);

    /// <summary>
    /// One trial, possibly at an older version than the newest (an update then reports a
    /// conflict with the current one), but never missing when it exists. Null when it does not.
    /// </summary>
    Task<Trial?> GetTrialAsync(Study study, long number, CancellationToken ct);

    /// <summary>Starts trials: from the queue first, then from the claim's suggestions. Atomic and idempotent per request id.</summary>
    Task<ClaimResult> ClaimTrialsAsync(Study study, TrialClaim claim, CancellationToken ct);

    /// <summary>Replaces a trial if it is still at <paramref name="expected"/>'s version.</summary>
    Task<UpdateResult> UpdateTrialAsync(Study study, Trial expected, Trial updated, UpdateOptions options, CancellationToken ct);

    /// <summary>Moves a running trial's lease deadline; false when the trial holds no lease.</summary>
    Task<bool> ExtendLeaseAsync(Study study, long number, DateTimeOffset deadline, CancellationToken ct);

    /// <summary>Appends params to the queue; returns the queue's length.</summary>
    Task<long> EnqueueAsync(Study study, QueuedParams entry, CancellationToken ct);

    /// <summary>
    /// Appends params that take one of the <paramref name="size"/> places of a bounded sequence (a PBT
    /// population counted as <see cref="SequenceWindow"/> counts it), in one step; returns the queue's
    /// length, or null when every place is taken and nothing was appended.
    /// </summary>
    Task<long?> EnqueueCountedAsync(Study study, QueuedParams entry, long size, CancellationToken ct);

    /// <summary>Stores finished trials under new numbers, in order.</summary>
    Task<IReadOnlyList<long>> AddTrialsAsync(Study study, IReadOnlyList<Trial> trials, CancellationToken ct);

    /// <summary>Numbers of running trials whose lease deadline is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<long>> ExpiredLeasesAsync(Study study, DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Null while the store can serve; otherwise what is wrong (Redis does not answer, the journal cannot be written), for the health check.</summary>
    Task<string?> ProbeAsync(CancellationToken ct);

    /// <summary>The cursor of the study's latest change: reading events from it yields every later change.</summary>
    Task<string> EventCursorAsync(Study study, CancellationToken ct);

    /// <summary>Trial changes after <paramref name="cursor"/> (null: from the start). When the cursor is too old, the page restarts with a full snapshot.</summary>
    Task<EventPage> ReadEventsAsync(Study study, string? cursor, int limit, CancellationToken ct);
}
