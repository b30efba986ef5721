namespace GrpcTuner.Core.Domain;

/// <summary>Whether an objective is minimized or maximized.</summary>
public enum Direction
{
    Minimize,
    Maximize,
}

/// <summary>Everything a study is created with.</summary>
public sealed record StudyDefinition(
    string Name,
    SearchSpace Space,
    IReadOnlyList<Direction> Directions,
    SamplerSettings Sampler,
    PrunerSettings Pruner,
    int MaxRetries,
    IReadOnlyDictionary<string, string> UserAttrs);

/// <summary>A stored study.</summary>
public sealed record Study(string Id, StudyDefinition Definition, DateTimeOffset CreatedAt)
{
    public string Name => Definition.Name;
}
