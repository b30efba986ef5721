using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;

namespace GrpcTuner.Core.Tests;

public class TrialTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Trial Running(long number = 0, long? retriedFrom = null) => TrialTransitions.Start(number,
        new QueuedParams(new Dictionary<string, ParamValue> { ["x"] = ParamValue.Of(1.0) }, Trial.EmptyAttrs, retriedFrom), "w", Now, TimeSpan.FromSeconds(30));

    [Fact]
    public void TellingTheSameResultTwiceIsIdempotent()
    {
        var done = TrialTransitions.Finish("s", Running(), TrialState.Complete, [1.5], "", Trial.EmptyAttrs, Now);
        Assert.Equal(TrialState.Complete, done.State);
        Assert.Equal(1, done.Version);
        Assert.Same(done, TrialTransitions.Finish("s", done, TrialState.Complete, [1.5], "", Trial.EmptyAttrs, Now));
    }

    [Fact]
    public void AConflictingTellOnAFinishedTrialFails()
    {
        var done = TrialTransitions.Finish("s", Running(), TrialState.Complete, [1.5], "", Trial.EmptyAttrs, Now);
        var e = Assert.Throws<TunerException>(() => TrialTransitions.Finish("s", done, TrialState.Complete, [2.5], "", Trial.EmptyAttrs, Now));
        Assert.Equal(ErrorKind.FailedPrecondition, e.Kind);
        Assert.Throws<TunerException>(() => TrialTransitions.Finish("s", done, TrialState.Fail, [], "", Trial.EmptyAttrs, Now));
    }

    [Fact]
    public void ARepeatedTellMayRepeatItsAttributesButNotBringNewOnes()
    {
        var attrs = new Dictionary<string, string> { ["host"] = "a" };
        var done = TrialTransitions.Finish("s", Running(), TrialState.Complete, [1.5], "", attrs, Now);
        Assert.Same(done, TrialTransitions.Finish("s", done, TrialState.Complete, [1.5], "", attrs, Now));
        Assert.Same(done, TrialTransitions.Finish("s", done, TrialState.Complete, [1.5], "", Trial.EmptyAttrs, Now));
        var e = Assert.Throws<TunerException>(() => TrialTransitions.Finish("s", done, TrialState.Complete, [1.5], "", new Dictionary<string, string> { ["gpu"] = "0" }, Now));
        Assert.Equal(ErrorKind.FailedPrecondition, e.Kind);
        Assert.Equal("trial 0 of study 's' is already COMPLETE with values [1.5] and without the user attribute gpu=0; a finished trial cannot change", e.Message);
    }

    [Fact]
    public void ReportsKeepTheFirstValueOfAStepAndRenewTheLease()
    {
        var t = TrialTransitions.Report("s", Running(), 1, 0.5, Now.AddSeconds(10), null);
        t = TrialTransitions.Report("s", t, 0, 0.9, Now.AddSeconds(20), null);
        t = TrialTransitions.Report("s", t, 1, 0.1, Now.AddSeconds(25), TimeSpan.FromSeconds(5));
        Assert.Equal([new IntermediateValue(0, 0.9), new IntermediateValue(1, 0.5)], t.Intermediate);
        Assert.Equal(Now.AddSeconds(30), t.LeaseDeadline);
        Assert.Equal(3, t.Version);
    }

    [Fact]
    public void ATrialKeepsAtMostItsLimitOfIntermediateValues()
    {
        var full = Running() with { Intermediate = IntermediateSeries.With([], Enumerable.Range(0, IntermediateSeries.MaxPerTrial).Select(i => new IntermediateValue(i, i))) };
        var e = Assert.Throws<TunerException>(() => TrialTransitions.Report("s", full, IntermediateSeries.MaxPerTrial, 1, Now, null));
        Assert.Equal(ErrorKind.FailedPrecondition, e.Kind);
        Assert.StartsWith("step: trial 0 of study 's' already holds 10000 intermediate values", e.Message);
        // A step it already holds is still a renewal, not a new value.
        Assert.Equal(IntermediateSeries.MaxPerTrial, TrialTransitions.Report("s", full, 5, 1, Now, null).Intermediate.Count);
    }

    [Fact]
    public void ASeriesAddsStepsInOrderAndShowsWhatAChangeAdded()
    {
        var series = IntermediateSeries.With([], [new(5, 0.5), new(1, 0.1), new(5, 9), new(3, 0.3)]);
        Assert.Equal([new IntermediateValue(1, 0.1), new(3, 0.3), new(5, 0.5)], series);
        var more = IntermediateSeries.With(series, [new(2, 0.2), new(7, 0.7)]);
        Assert.Equal([new IntermediateValue(2, 0.2), new(7, 0.7)], IntermediateSeries.Added(series, more));
        Assert.Equal([new IntermediateValue(7, 0.7)], IntermediateSeries.Added(IntermediateSeries.With(series, [new(2, 0.2)]), more));
        Assert.Empty(IntermediateSeries.Added(more, more));
        Assert.Equal(~1, IntermediateSeries.IndexOf(series, 2));
        Assert.Equal(2, IntermediateSeries.IndexOf(series, 5));
    }

    [Fact]
    public void ExpiryRetriesUntilMaxRetriesRunsOut()
    {
        var first = Running(0);
        var (failed, retry) = TrialTransitions.Expire(first, 1, [first], Now);
        Assert.Equal(TrialState.Fail, failed.State);
        Assert.Equal(TrialTransitions.LeaseExpiredReason, failed.Reason);
        Assert.Equal(0, retry!.RetriedFrom);
        var second = Running(1, retriedFrom: 0);
        var (_, again) = TrialTransitions.Expire(second, 1, [failed, second], Now);
        Assert.Null(again);
    }
}
