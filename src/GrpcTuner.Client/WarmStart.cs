using GrpcTuner.V1;

namespace GrpcTuner.Client;

/// <summary>
/// The second half of the seed-sweep recipe (first an early-stopping sweep over random seeds, then
/// PBT from the best seeds): the best trials of one study go on in another from their params and
/// checkpoints. Each is enqueued with its params, except that a parameter the next study fixes to
/// one value (num_epochs: 6 to train on) takes that value, and with a <see cref="CheckpointAttr"/>
/// attribute naming the checkpoint folder it continues from, relative to the agents' --checkpoint-dir.
/// </summary>
public static class WarmStart
{
    /// <summary>The user attribute naming the checkpoint a trial starts from: its <see cref="CheckpointLayout.TrialFolder"/> under the checkpoint root.</summary>
    public const string CheckpointAttr = "warm_start_checkpoint";

    /// <summary>Enqueues the <paramref name="count"/> best complete trials of <paramref name="from"/> into <paramref name="to"/>, best first.</summary>
    /// <returns>The trials promoted.</returns>
    public static async Task<IReadOnlyList<Trial>> PromoteBestAsync(TunerStudy from, TunerStudy to, int count, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var sign = from.Info.Directions[0] == Direction.Maximize ? -1 : 1;
        var best = (await from.TrialsAsync(ct).ConfigureAwait(false))
            .Where(t => t.State == TrialState.Complete && t.Values.Count > 0)
            .OrderBy(t => sign * t.Values[0]).ThenBy(t => t.Number)
            .Take(count).ToList();
        if (best.Count < count)
        {
            throw new InvalidOperationException($"study '{from.Name}' has {best.Count} complete trial(s); {count} are needed to go on in '{to.Name}'");
        }

        var redeclared = to.Info.SearchSpace.Params.Where(p => !from.Info.SearchSpace.Params.Contains(p)).ToList();
        foreach (var trial in best)
        {
            var values = new Dictionary<string, ParamValue>(trial.Params);
            foreach (var spec in redeclared)
            {
                if (OnlyValue(spec) is { } only)
                {
                    values[spec.Name] = only;
                }
                else if (!values.ContainsKey(spec.Name))
                {
                    throw new InvalidOperationException($"study '{to.Name}' declares '{spec.Name}', which trial {trial.Number} of '{from.Name}' has no value for: fix it to one value there, or declare it in '{from.Name}' too");
                }
            }

            await to.EnqueueAsync(values, new Dictionary<string, string> { [CheckpointAttr] = CheckpointLayout.TrialFolder(from.Info, trial.Number) }, ct).ConfigureAwait(false);
        }

        return best;
    }

    private static ParamValue? OnlyValue(ParamSpec spec) => spec.DistributionCase switch
    {
        ParamSpec.DistributionOneofCase.Float when spec.Float.Low == spec.Float.High => new ParamValue { FloatValue = spec.Float.Low },
        ParamSpec.DistributionOneofCase.Int when spec.Int.Low == spec.Int.High => new ParamValue { IntValue = spec.Int.Low },
        ParamSpec.DistributionOneofCase.Categorical when spec.Categorical.Choices.Count == 1 => spec.Categorical.Choices[0],
        _ => null,
    };
}
