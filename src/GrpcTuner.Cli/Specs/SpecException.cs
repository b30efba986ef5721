namespace GrpcTuner.Cli.Specs;

/// <summary>A study spec file that cannot be used; the message names the place in the file.</summary>
public sealed class SpecException(string message) : FormatException(message);
