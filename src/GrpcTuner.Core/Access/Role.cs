namespace GrpcTuner.Core.Access;

/// <summary>What a key may do; each role includes the ones before it.</summary>
public enum Role
{
    Read = 1,
    Write = 2,
    Admin = 3,
}
