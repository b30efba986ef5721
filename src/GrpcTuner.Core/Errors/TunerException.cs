namespace GrpcTuner.Core.Errors;

/// <summary>The kinds of failure a request can meet; the server maps each to one gRPC status.</summary>
public enum ErrorKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    OutOfRange,
    Unavailable,
    Unauthenticated,
    PermissionDenied,
}

/// <summary>A field of a request and what is wrong with it.</summary>
public sealed record FieldViolation(string Field, string Description);

/// <summary>A failure that is the caller's to fix or retry, never a crash.</summary>
public sealed class TunerException : Exception
{
    public TunerException(ErrorKind kind, string message, IReadOnlyList<FieldViolation>? violations = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Violations = violations ?? [];
    }

    public ErrorKind Kind { get; }

    public IReadOnlyList<FieldViolation> Violations { get; }

    public static TunerException Invalid(string field, string description) =>
        new(ErrorKind.InvalidArgument, $"{field}: {description}", [new FieldViolation(field, description)]);

    public static TunerException Invalid(IReadOnlyList<FieldViolation> violations) =>
        new(ErrorKind.InvalidArgument, string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")), violations);

    /// <summary>A name clash, naming the option in each client that loads the existing study instead.</summary>
    public static TunerException StudyExists(string name) =>
        new(ErrorKind.AlreadyExists, $"study '{name}' already exists; to use it, set load_if_exists (--load-if-exists in the CLI, load_if_exists=True in Python, loadIfExists in TypeScript, LoadIfExists in .NET)");

    public static TunerException StudyNotFound(string name) =>
        new(ErrorKind.NotFound, $"study '{name}' does not exist");

    public static TunerException TrialNotFound(string study, long number) =>
        new(ErrorKind.NotFound, $"trial {number} of study '{study}' does not exist");
}
