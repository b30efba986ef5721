using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Tests;

/// <summary>Small builders for spaces, studies and trials.</summary>
internal static class Build
{
    public static SearchSpace Space(params ParamSpec[] specs) => new(specs);

    public static ParamSpec Float(string name, double low, double high, bool log = false, double? step = null) => new(name, new FloatDistribution(low, high, log, step));

    public static ParamSpec Int(string name, long low, long high, bool log = false, long step = 1) => new(name, new IntDistribution(low, high, log, step));

    public static ParamSpec Cat(string name, params string[] choices) => new(name, new CategoricalDistribution(choices.Select(ParamValue.Of).ToList()));

    public static StudyDefinition Study(SearchSpace space, SamplerKind sampler = SamplerKind.Tpe, ulong seed = 7, TpeOptions? tpe = null, params Direction[] directions) =>
        new("s", space, directions.Length == 0 ? [Direction.Minimize] : directions, new SamplerSettings(sampler, seed, tpe), PrunerSettings.None, 0, Trial.EmptyAttrs);

    public static Trial Complete(long number, double value, params (string Name, double Value)[] ps) => new()
    {
        Number = number,
        Params = ps.ToDictionary(p => p.Name, p => ParamValue.Of(p.Value)),
        State = TrialState.Complete,
        Values = [value],
    };

    public static Trial WithReports(long number, TrialState state, params double[] values) => new()
    {
        Number = number,
        Params = new Dictionary<string, ParamValue>(),
        State = state,
        Values = state == TrialState.Complete ? [values[^1]] : [],
        Intermediate = values.Select((v, i) => new IntermediateValue(i, v)).ToArray(),
    };
}
