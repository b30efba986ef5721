using GrpcTuner.Core.Access;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage.Embedded;

/// <summary>One change recorded in the journal. A line of the journal holds the changes of one acknowledged call.</summary>
internal abstract record JournalOp(string StudyId)
{
    public sealed record PutStudy(Study Study) : JournalOp(Study.Id);

    public sealed record DeleteStudy(string Id) : JournalOp(Id);

    /// <summary>
    /// A trial's new version. Its line holds only the intermediate values added since
    /// <paramref name="Previous"/>, so a trial's reports cost the journal O(reports), not
    /// O(reports squared); replay adds them to the version before.
    /// </summary>
    public sealed record PutTrial(string Id, Trial Trial, Trial? Previous = null) : JournalOp(Id);

    public sealed record SetLease(string Id, long Number, DateTimeOffset? Deadline) : JournalOp(Id);

    public sealed record Push(string Id, QueuedParams Entry) : JournalOp(Id);

    public sealed record Pop(string Id) : JournalOp(Id);

    public sealed record Advance(string Id, long Next) : JournalOp(Id);

    public sealed record Remember(string Id, string RequestId, long[] Numbers) : JournalOp(Id);

    /// <summary>Creates or replaces (on revocation) an API key; keys belong to no study.</summary>
    public sealed record PutKey(ApiKey Key) : JournalOp("");
}
