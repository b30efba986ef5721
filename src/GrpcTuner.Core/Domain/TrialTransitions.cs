using GrpcTuner.Core.Errors;

namespace GrpcTuner.Core.Domain;

/// <summary>
/// The allowed state changes of a trial, computed here once so that every store applies the same
/// rules: WAITING/new -> RUNNING, RUNNING -> COMPLETE | PRUNED | FAIL, and nothing after that.
/// </summary>
public static class TrialTransitions
{
    public const string LeaseExpiredReason = "lease expired";

    /// <summary>The body of a trial about to start: its params and what it inherits.</summary>
    public static Trial Start(long number, QueuedParams body, string workerId, DateTimeOffset now, TimeSpan lease) => new()
    {
        Number = number,
        Params = body.Params,
        State = TrialState.Running,
        WorkerId = workerId,
        StartTime = now,
        LeaseDeadline = now + lease,
        LeaseDuration = lease,
        UserAttrs = body.UserAttrs,
        RetriedFrom = body.RetriedFrom,
        Proposals = body.Proposals,
    };

    /// <summary>
    /// The trial after a Tell, or the trial itself when the same Tell was already applied.
    /// A different Tell on a finished trial is a FAILED_PRECONDITION.
    /// </summary>
    public static Trial Finish(string study, Trial trial, TrialState state, IReadOnlyList<double> values, string reason,
        IReadOnlyDictionary<string, string> attrs, DateTimeOffset now, Compute? compute = null)
    {
        if (trial.State.IsFinished())
        {
            // A repeat may carry attributes the trial has; one it lacks would be dropped, so it is refused, not ignored.
            var missing = attrs.FirstOrDefault(a => !trial.UserAttrs.TryGetValue(a.Key, out var v) || v != a.Value);
            if (trial.State == state && trial.Values.SequenceEqual(values) && missing.Key is null)
            {
                return trial;
            }

            throw new TunerException(ErrorKind.FailedPrecondition,
                $"trial {trial.Number} of study '{study}' is already {trial.State.ToString().ToUpperInvariant()}"
                + (trial.Values.Count > 0 ? $" with values [{string.Join(", ", trial.Values)}]" : "")
                + (trial.State == state && trial.Values.SequenceEqual(values) ? $" and without the user attribute {missing.Key}={missing.Value}" : "")
                + "; a finished trial cannot change");
        }

        RequireRunning(study, trial, "told");
        return trial with
        {
            State = state,
            Values = state == TrialState.Complete ? values.ToArray() : [],
            Reason = reason,
            UserAttrs = Merge(trial.UserAttrs, attrs),
            CompleteTime = now,
            LeaseDeadline = null,
            Proposals = Proposal.None,
            Compute = compute ?? trial.Compute,
            Version = trial.Version + 1,
        };
    }

    /// <summary>The trial with one more intermediate value and a renewed lease. A step already reported keeps its first value.</summary>
    public static Trial Report(string study, Trial trial, long step, double value, DateTimeOffset now, TimeSpan? lease, string checkpoint = "", Compute? compute = null)
    {
        RequireRunning(study, trial, "reported on");
        if (trial.Intermediate.Count >= IntermediateSeries.MaxPerTrial && !trial.TryGetIntermediate(step, out _))
        {
            throw new TunerException(ErrorKind.FailedPrecondition,
                $"step: trial {trial.Number} of study '{study}' already holds {IntermediateSeries.MaxPerTrial} intermediate values, the most a trial keeps; report less often (every epoch or every N steps)");
        }

        var length = lease ?? trial.LeaseDuration;
        return trial with
        {
            Intermediate = IntermediateSeries.With(trial.Intermediate, [new IntermediateValue(step, value)]),
            LeaseDeadline = now + length,
            LeaseDuration = length,
            Checkpoint = checkpoint.Length > 0 ? checkpoint : trial.Checkpoint,
            Compute = compute ?? trial.Compute,
            Version = trial.Version + 1,
        };
    }

    /// <summary>The trial after a PBT exploit: the donor's perturbed params, with the change in its lineage.</summary>
    public static Trial Exploit(Trial trial, long step, Trial donor, IReadOnlyDictionary<string, ParamValue> newParams) => trial with
    {
        Params = newParams,
        Lineage = trial.Lineage.Append(new LineageEntry(step, donor.Number, donor.Checkpoint, trial.Params, newParams)).ToArray(),
    };

    /// <summary>The trial failed because its lease ran out, and the params to retry, if retries remain.</summary>
    public static (Trial Failed, QueuedParams? Retry) Expire(Trial trial, int maxRetries, IReadOnlyList<Trial> history, DateTimeOffset now)
    {
        var failed = trial with
        {
            State = TrialState.Fail,
            Reason = LeaseExpiredReason,
            CompleteTime = now,
            LeaseDeadline = null,
            Proposals = Proposal.None,
            Version = trial.Version + 1,
        };
        var retries = RetryDepth(trial, history);
        var retry = retries < maxRetries ? Rerun(trial) : null;
        return (failed, retry);
    }

    /// <summary>The queue entry that runs a trial's params again: its define-by-run parameters wait as proposals for their Suggests.</summary>
    public static QueuedParams Rerun(Trial trial)
    {
        if (trial.Distributions.Count == 0)
        {
            return new QueuedParams(trial.Params, trial.UserAttrs, trial.Number);
        }

        var declared = trial.Params.Where(p => !trial.Distributions.ContainsKey(p.Key)).ToDictionary(StringComparer.Ordinal);
        var proposals = trial.Distributions.ToDictionary(d => d.Key, d => new Proposal(trial.Params[d.Key], d.Value), StringComparer.Ordinal);
        return new QueuedParams(declared, trial.UserAttrs, trial.Number) { Proposals = proposals };
    }

    /// <summary>How many retries stand behind this trial: 0 for an original, 1 for its first re-run, ...</summary>
    public static int RetryDepth(Trial trial, IReadOnlyList<Trial> history)
    {
        var depth = 0;
        var current = trial;
        while (current.RetriedFrom is { } parent && parent >= 0 && parent < history.Count && history[(int)parent].Number == parent)
        {
            depth++;
            current = history[(int)parent];
        }

        return depth;
    }

    public static void RequireRunning(string study, Trial trial, string verb)
    {
        if (trial.State != TrialState.Running)
        {
            throw new TunerException(ErrorKind.FailedPrecondition,
                $"trial {trial.Number} of study '{study}' is {trial.State.ToString().ToUpperInvariant()} and cannot be {verb}; only RUNNING trials can");
        }
    }

    private static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (b.Count == 0)
        {
            return a;
        }

        var merged = new Dictionary<string, string>(a, StringComparer.Ordinal);
        foreach (var (k, v) in b)
        {
            merged[k] = v;
        }

        return merged;
    }
}
