using GrpcTuner.Core.Errors;

namespace GrpcTuner.Core.Validation;

/// <summary>Collects field violations and throws them together, so a caller fixes all at once.</summary>
public sealed class Violations
{
    private readonly List<FieldViolation> _list = [];

    public bool Any => _list.Count > 0;

    public int Count => _list.Count;

    public void Add(string field, string description) => _list.Add(new FieldViolation(field, description));

    /// <summary>Adds a violation when <paramref name="ok"/> is false; returns <paramref name="ok"/>.</summary>
    public bool Check(bool ok, string field, string description)
    {
        if (!ok)
        {
            Add(field, description);
        }

        return ok;
    }

    public void ThrowIfAny()
    {
        if (_list.Count > 0)
        {
            throw TunerException.Invalid(_list);
        }
    }
}
