namespace GrpcTuner.V1;

/// <summary>
/// A request that names the studies it touches, so that access checks happen in one place
/// (the server's access interceptor) instead of in every handler.
/// </summary>
public interface IStudyScoped
{
    IEnumerable<string> ScopedStudies { get; }
}

public sealed partial class CreateStudyRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => WarmStart is null ? [Name] : WarmStart.Studies.Prepend(Name);
}

public sealed partial class RecommendConfigurationsRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => Spec?.Studies ?? Enumerable.Empty<string>();
}

public sealed partial class GetStudyRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class DeleteStudyRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class AskRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class TellRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class ReportRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class HeartbeatRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class EnqueueTrialRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class AddTrialsRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class GetTrialRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class ListTrialsRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class GetBestTrialsRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}

public sealed partial class WatchStudyRequest : IStudyScoped
{
    IEnumerable<string> IStudyScoped.ScopedStudies => [Study];
}
