using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pareto;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// Splits the history into the good ("below") and the rest ("above") trials the way Optuna does:
/// complete trials by value, then pruned trials by how far they got and their last value, then
/// running trials (constant liar) as the worst of all. gamma(n) = min(ceil(0.1 n), 25).
/// </summary>
internal static class ObservationSplit
{
    public static int Gamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    public static (List<Trial> Below, List<Trial> Above) Split(IReadOnlyList<Trial> history, IReadOnlyList<Direction> directions, bool constantLiar)
    {
        var considered = history.Where(t => t.State is TrialState.Complete or TrialState.Pruned
            || (constantLiar && t.State == TrialState.Running)).ToList();
        var ranks = directions.Count > 1 ? ParetoRanks(considered, directions) : null;
        var keys = new (int Group, double Primary, double Secondary, long Number)[considered.Count];
        for (var i = 0; i < considered.Count; i++)
        {
            var t = considered[i];
            keys[i] = t.State switch
            {
                TrialState.Complete => (0, ranks is null ? Signed(t.Values[0], directions[0]) : ranks[i], 0, t.Number),
                TrialState.Pruned when t.LastStep is { } step && t.TryGetIntermediate(step, out var v) => (1, -step, Signed(v, directions[0]), t.Number),
                TrialState.Pruned => (2, 0, 0, t.Number),
                _ => (3, 0, 0, t.Number),
            };
        }

        var order = Enumerable.Range(0, considered.Count).OrderBy(i => keys[i]).ToArray();
        var nBelow = Gamma(considered.Count);
        var below = order.Take(nBelow).Select(i => considered[i]).OrderBy(t => t.Number).ToList();
        var above = order.Skip(nBelow).Select(i => considered[i]).OrderBy(t => t.Number).ToList();
        return (below, above);
    }

    private static double Signed(double value, Direction direction) => direction == Direction.Maximize ? -value : value;

    private static double[] ParetoRanks(List<Trial> considered, IReadOnlyList<Direction> directions)
    {
        var complete = considered.Select((t, i) => (t, i)).Where(x => x.t.State == TrialState.Complete).ToList();
        var ranks = NonDominatedSort.Ranks(complete.Select(x => x.t.Values).ToList(), directions);
        var result = new double[considered.Count];
        for (var j = 0; j < complete.Count; j++)
        {
            result[complete[j].i] = ranks[j];
        }

        return result;
    }
}
