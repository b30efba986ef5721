using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// What one Ask's Parzen estimators are built from: the split's two sides, copied out of the
/// columns while the sampler holds them, so that the estimators are built and scored outside the lock.
/// </summary>
internal sealed class SplitObservations
{
    private SplitObservations(int finished, Trial? best, Side<SortedObservations>?[] alone, Side<double[][]>? joint)
    {
        Finished = finished;
        Best = best;
        Alone = alone;
        Joint = joint;
    }

    /// <summary>How many trials are complete or pruned.</summary>
    public int Finished { get; }

    /// <summary>The best trial of the good side.</summary>
    public Trial? Best { get; }

    /// <summary>Per parameter of the space, its observations on each side, for the parameters modelled alone; null for the others.</summary>
    public Side<SortedObservations>?[] Alone { get; }

    /// <summary>The jointly modelled parameters' observations on each side: per parameter, the coordinates in trial order.</summary>
    public Side<double[][]>? Joint { get; }

    /// <summary>The observations of the trials on each side of the split that have the parameters.</summary>
    internal sealed record Side<T>(T Below, T Above);

    /// <summary>Only the finished count when it is under <paramref name="startup"/>: the Ask then draws at random.</summary>
    public static SplitObservations Read(TrialColumns columns, IReadOnlyList<Direction> directions, int[] joint, int startup)
    {
        var finished = 0;
        foreach (var key in columns.Keys)
        {
            finished += key.IsFinished ? 1 : 0;
        }

        var alone = new Side<SortedObservations>?[columns.Dimensions];
        if (finished < startup)
        {
            return new SplitObservations(finished, null, alone, null);
        }

        var (below, above, best, _) = ObservationSplit.Split(columns, directions);
        for (var d = 0; d < alone.Length; d++)
        {
            if (!joint.Contains(d))
            {
                alone[d] = new Side<SortedObservations>(columns.Sorted(d, below), columns.Sorted(d, above));
            }
        }

        var together = joint.Length == 0 ? null : new Side<double[][]>(Jointly(columns, joint, below), Jointly(columns, joint, above));
        return new SplitObservations(finished, best < 0 ? null : columns.Trial(best), alone, together);
    }

    private static double[][] Jointly(TrialColumns columns, int[] dims, int[] rows)
    {
        var having = columns.Having(dims, rows);
        return Array.ConvertAll(dims, d => columns.Gather(d, having));
    }
}
