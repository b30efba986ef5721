using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pareto;

namespace GrpcTuner.Core.Tests;

public class ParetoTests
{
    [Fact]
    public void NonDominatedSortFindsTheFronts()
    {
        // Minimize both: (1,4), (2,2), (4,1) are the first front; (3,3) is dominated by (2,2); (5,5) by all.
        IReadOnlyList<double>[] points = [[1, 4], [3, 3], [2, 2], [5, 5], [4, 1]];
        Assert.Equal([0, 1, 0, 2, 0], NonDominatedSort.Ranks(points, [Direction.Minimize, Direction.Minimize]));
    }

    [Fact]
    public void BestTrialsIsTheParetoFrontForSeveralObjectives()
    {
        var trials = new[] { (1.0, 1.0), (2.0, 3.0), (3.0, 2.0) }.Select((v, i) => new Trial
        {
            Number = i, Params = new Dictionary<string, ParamValue>(), State = TrialState.Complete, Values = [v.Item1, v.Item2],
        }).ToList();
        Assert.Equal([0L, 1], BestTrials.Select(trials, [Direction.Minimize, Direction.Maximize]).Select(t => t.Number));
    }

    [Fact]
    public void BestTrialIsTheLowestOrHighestComplete()
    {
        var trials = new List<Trial> { Build.Complete(0, 3), Build.Complete(1, 1), Build.WithReports(2, TrialState.Pruned, -5), Build.Complete(3, 7) };
        Assert.Equal(1, BestTrials.Select(trials, [Direction.Minimize])[0].Number);
        Assert.Equal(3, BestTrials.Select(trials, [Direction.Maximize])[0].Number);
    }
}
