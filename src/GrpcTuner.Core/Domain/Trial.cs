namespace GrpcTuner.Core.Domain;

/// <summary>One intermediate report.</summary>
public readonly record struct IntermediateValue(long Step, double Value);

/// <summary>One PBT exploit: at a step the trial took a donor's checkpoint and new params.</summary>
public sealed record LineageEntry(long Step, long Parent, string Checkpoint, IReadOnlyDictionary<string, ParamValue> OldParams, IReadOnlyDictionary<string, ParamValue> NewParams);

/// <summary>
/// An immutable trial record. <see cref="Version"/> grows with every change so that stores can
/// apply a change only to the version it was computed from.
/// </summary>
public sealed record Trial
{
    public required long Number { get; init; }

    public required IReadOnlyDictionary<string, ParamValue> Params { get; init; }

    public required TrialState State { get; init; }

    public IReadOnlyList<double> Values { get; init; } = [];

    /// <summary>Sorted by step (see <see cref="IntermediateSeries"/>).</summary>
    public IReadOnlyList<IntermediateValue> Intermediate { get; init; } = [];

    public string WorkerId { get; init; } = "";

    public DateTimeOffset? LeaseDeadline { get; init; }

    /// <summary>The lease length the trial was asked with, used when a renewal names none.</summary>
    public TimeSpan LeaseDuration { get; init; }

    public IReadOnlyDictionary<string, string> UserAttrs { get; init; } = EmptyAttrs;

    public long? RetriedFrom { get; init; }

    public string Reason { get; init; } = "";

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? CompleteTime { get; init; }

    public long Version { get; init; }

    /// <summary>Where the trial's latest checkpoint is, as its worker last reported it.</summary>
    public string Checkpoint { get; init; } = "";

    /// <summary>PBT exploits, oldest first.</summary>
    public IReadOnlyList<LineageEntry> Lineage { get; init; } = [];

    /// <summary>The distribution of each parameter outside the study's search space, as its Suggest named it.</summary>
    public IReadOnlyDictionary<string, Distribution> Distributions { get; init; } = EmptyDistributions;

    /// <summary>What the trial cost, as its worker last reported it.</summary>
    public Compute? Compute { get; init; }

    /// <summary>Values waiting for a Suggest (define-by-run), cleared when the trial finishes.</summary>
    public IReadOnlyDictionary<string, Proposal> Proposals { get; init; } = Proposal.None;

    public static IReadOnlyDictionary<string, ParamValue> EmptyParams { get; } = new Dictionary<string, ParamValue>();

    public static IReadOnlyDictionary<string, Distribution> EmptyDistributions { get; } = new Dictionary<string, Distribution>();

    public static IReadOnlyDictionary<string, string> EmptyAttrs { get; } = new Dictionary<string, string>();

    /// <summary>The intermediate value reported at <paramref name="step"/>, if any.</summary>
    public bool TryGetIntermediate(long step, out double value)
    {
        var at = IntermediateSeries.IndexOf(Intermediate, step);
        value = at >= 0 ? Intermediate[at].Value : 0;
        return at >= 0;
    }

    public long? LastStep => Intermediate.Count == 0 ? null : Intermediate[^1].Step;
}
