namespace GrpcTuner.Core.Domain;

/// <summary>Makes a parameter exist only while its parent took one of <see cref="Values"/>.</summary>
public sealed record Condition(string Parent, IReadOnlyList<ParamValue> Values)
{
    public bool Equals(Condition? other) =>
        other is not null && Parent == other.Parent && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(Parent, Values.Count);
}

/// <summary>One named parameter.</summary>
public sealed record ParamSpec(string Name, Distribution Distribution, Condition? Condition = null);

/// <summary>The parameters of a study, in declaration order; parents precede their children.</summary>
public sealed class SearchSpace : IEquatable<SearchSpace>
{
    private readonly Dictionary<string, int> _index;

    public SearchSpace(IReadOnlyList<ParamSpec> parameters)
    {
        Params = parameters;
        _index = new Dictionary<string, int>(parameters.Count, StringComparer.Ordinal);
        for (var i = 0; i < parameters.Count; i++)
        {
            _index.TryAdd(parameters[i].Name, i);
        }
    }

    public IReadOnlyList<ParamSpec> Params { get; }

    public bool HasConditions => Params.Any(p => p.Condition is not null);

    public ParamSpec? Find(string name) => _index.TryGetValue(name, out var i) ? Params[i] : null;

    /// <summary>Whether <paramref name="spec"/> exists given the values chosen so far.</summary>
    public static bool IsActive(ParamSpec spec, IReadOnlyDictionary<string, ParamValue> chosen) =>
        spec.Condition is not { } c || (chosen.TryGetValue(c.Parent, out var parent) && c.Values.Contains(parent));

    public bool Equals(SearchSpace? other) => other is not null && Params.SequenceEqual(other.Params);

    public override bool Equals(object? obj) => Equals(obj as SearchSpace);

    public override int GetHashCode() => Params.Count;
}
