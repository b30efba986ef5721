namespace GrpcTuner.Core.Access;

/// <summary>Who is calling: the namespaces they reach and their role there.</summary>
public sealed record Principal(string Name, IReadOnlyList<string> Namespaces, Role Role)
{
    /// <summary>Everything, everywhere: the configured admin key, or every caller when authentication is off.</summary>
    public static Principal Root(string name) => new(name, [Namespace.All], Role.Admin);

    public static Principal Of(ApiKey key) => new($"key {key.Id}", key.Namespaces, key.Role) { KeyId = key.Id };

    /// <summary>The stored key this principal authenticated with; null for the configured admin key and with authentication off.</summary>
    public string? KeyId { get; init; }

    public bool ReachesEverything => Namespaces.Contains(Namespace.All);

    public bool Reaches(string ns) => ReachesEverything || Namespaces.Contains(ns);

    public bool CanSee(string studyName) => Reaches(Namespace.Of(studyName));

    public bool Has(Role role) => Role >= role;
}
