using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;
using GrpcTuner.Core.Samplers.Tpe;

namespace GrpcTuner.Core.Tests;

public class TrialColumnsTests
{
    private static readonly SearchSpace Space = Build.Space(Build.Float("x", 0, 1), Build.Int("n", 1, 8), Build.Cat("c", "a", "b", "c"));
    private static readonly SplitRule Rule = new([Direction.Minimize], ConstantLiar: true);

    [Fact]
    public void ColumnsBroughtUpToAHistoryEqualColumnsReadAfresh()
    {
        var (history, later) = Histories();
        var synced = new TrialColumns(Space, Rule);
        synced.Sync(history);
        // A few new trials are inserted one by one; a trial read again with other params moves in the orders.
        var moved = later.Select(t => t.Number == 5 ? t with { Params = new Dictionary<string, ParamValue> { ["x"] = ParamValue.Of(0.999), ["n"] = ParamValue.Of(1L) } } : t).ToList();
        synced.Sync(moved);
        var fresh = new TrialColumns(Space, Rule);
        fresh.Sync(moved);
        Assert.Equal(fresh.Count, synced.Count);
        Assert.True(fresh.Keys.SequenceEqual(synced.Keys));
        var all = Enumerable.Range(0, fresh.Count).ToArray();
        for (var d = 0; d < Space.Params.Count; d++)
        {
            Assert.Equal(fresh.Gather(d, all), synced.Gather(d, all));
            var having = fresh.Having([d], all);
            Assert.Equal(moved.Count(t => t.Params.ContainsKey(Space.Params[d].Name)), having.Length);
            // The whole history walks the kept order; a few rows are sorted on their own: both agree with a sort here.
            foreach (var rows in new[] { all, all.Where(i => i % 40 == 3).ToArray() })
            {
                var sorted = fresh.Sorted(d, rows);
                var again = synced.Sorted(d, rows);
                Assert.Equal(sorted.Values, again.Values);
                Assert.Equal(sorted.Positions, again.Positions);
                var values = fresh.Gather(d, fresh.Having([d], rows));
                var expected = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
                Assert.Equal(expected, sorted.Positions);
                Assert.Equal(expected.Select(i => values[i]), sorted.Values);
            }
        }

        // A shorter history (another version of the study) starts over.
        synced.Sync(history[..50]);
        Assert.Equal(50, synced.Count);
        Assert.Equal(50, synced.Having([0], all[..50]).Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASamplerThatReusedItsLastColumnsSuggestsWhatAFreshOneDoes(bool multivariate)
    {
        var (history, later) = Histories();
        var study = Build.Study(Space, tpe: new TpeOptions(Multivariate: multivariate));
        var warmed = new TpeSampler(study);
        warmed.Sample(history, Rng.For(3, 1));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(new TpeSampler(study).Sample(later, Rng.For(3, (ulong)i)), warmed.Sample(later, Rng.For(3, (ulong)i)));
        }
    }

    /// <summary>300 trials in every state, then the same history where some running trials finished (new objects) and more were added.</summary>
    private static (List<Trial> History, List<Trial> Later) Histories()
    {
        var rng = new Rng(11);
        var history = new List<Trial>();
        for (var i = 0; i < 300; i++)
        {
            var ps = IndependentSampling.DrawAll(Space, rng);
            if (i % 17 == 0)
            {
                ps.Remove("c");
            }

            var state = (i % 7) switch { 0 => TrialState.Running, 1 => TrialState.Pruned, 2 => TrialState.Fail, _ => TrialState.Complete };
            history.Add(new Trial
            {
                Number = i,
                Params = ps,
                State = state,
                Values = state == TrialState.Complete ? [rng.NextDouble()] : [],
                Intermediate = state == TrialState.Pruned ? [new IntermediateValue(i % 3, rng.NextDouble())] : [],
            });
        }

        var later = history.Select(t => t.State == TrialState.Running && t.Number % 2 == 0 ? t with { State = TrialState.Complete, Values = [t.Number / 300.0] } : t).ToList();
        for (var i = 300; i < 310; i++)
        {
            later.Add(new Trial { Number = i, Params = IndependentSampling.DrawAll(Space, rng), State = TrialState.Complete, Values = [rng.NextDouble()] });
        }

        return (history, later);
    }
}
