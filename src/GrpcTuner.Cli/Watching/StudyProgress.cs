using GrpcTuner.V1;

namespace GrpcTuner.Cli.Watching;

/// <summary>
/// A study as seen through WatchStudy: the latest state of every trial, counts by state, and the
/// best complete trial of a single objective. Events may repeat (a resumed stream replays from its
/// cursor), so a trial's latest state replaces the earlier one.
/// </summary>
internal sealed class StudyProgress(Study study)
{
    private readonly Dictionary<long, TrialState> _states = [];
    private readonly SortedDictionary<TrialState, int> _counts = [];

    public Study Study { get; } = study;

    public int Total => _states.Count;

    public int Finished => Count(TrialState.Complete) + Count(TrialState.Pruned) + Count(TrialState.Fail);

    public Trial? Best { get; private set; }

    public IReadOnlyDictionary<TrialState, int> Counts => _counts;

    public void Apply(Trial trial)
    {
        if (_states.TryGetValue(trial.Number, out var previous))
        {
            _counts[previous]--;
        }

        _states[trial.Number] = trial.State;
        _counts[trial.State] = Count(trial.State) + 1;
        if (trial.State == TrialState.Complete && Study.Directions.Count == 1 && (Best is null || Better(trial.Values[0], Best.Values[0])))
        {
            Best = trial;
        }
    }

    private int Count(TrialState state) => _counts.GetValueOrDefault(state);

    private bool Better(double candidate, double incumbent) =>
        Study.Directions[0] == Direction.Maximize ? candidate > incumbent : candidate < incumbent;
}
