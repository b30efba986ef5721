using Grpc.Core;
using GrpcTuner.Client;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

/// <summary>A replica serving HTTPS with a certificate from configuration, and the SDK trusting a CA file.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task TheSdkTrustsTheCaFileAndNothingElse()
    {
        using var certificates = TestCertificates.Create();
        await using var server = await ServerReplica.StartAsync(new ServerOptions
        {
            JournalPath = null,
            AdminKey = "tls-admin",
            TlsCertificate = certificates.CertificateFile,
            TlsKey = certificates.KeyFile,
        });
        Assert.StartsWith("https://", server.Address);

        using var trusting = server.Client(new TunerClientOptions { ApiKey = "tls-admin", CaFile = certificates.CaFile });
        var study = await trusting.CreateStudyAsync(TwoReplicasFixture.Study("over-tls"));
        await study.TellAsync(await study.AskAsync(), 0.5);

        using var defaultRoots = server.Client(new TunerClientOptions { ApiKey = "tls-admin", CaFile = null, MaxAttempts = 1 });
        AssertHandshakeRefused(await Assert.ThrowsAsync<RpcException>(() => defaultRoots.Raw.GetStudyAsync(new GetStudyRequest { Study = "over-tls" }).ResponseAsync));

        using var otherCa = TestCertificates.Create();
        using var wrongCa = server.Client(new TunerClientOptions { ApiKey = "tls-admin", CaFile = otherCa.CaFile, MaxAttempts = 1 });
        AssertHandshakeRefused(await Assert.ThrowsAsync<RpcException>(() => wrongCa.Raw.GetStudyAsync(new GetStudyRequest { Study = "over-tls" }).ResponseAsync));
    }

    // Grpc.Net.Client reports a failed handshake as a client-side INTERNAL carrying the HttpRequestException.
    private static void AssertHandshakeRefused(RpcException e)
    {
        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Contains("SSL connection could not be established", e.Status.DebugException?.Message ?? e.Status.Detail, StringComparison.Ordinal);
    }
}
