using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using GrpcTuner.Testing;

namespace GrpcTuner.Server.Tests;

/// <summary>What a client sees at the wire: undecodable bytes, and server reflection for tools such as grpcurl.</summary>
public sealed class WireTests(TwoReplicasFixture fx) : IClassFixture<TwoReplicasFixture>
{
    [Theory]
    [InlineData(new byte[] { 0xff, 0xff, 0xff })]
    [InlineData(new byte[] { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f })]
    [InlineData(new byte[] { 0x0b })]
    public async Task BytesThatAreNotTheRequestMessageAreInvalidArgument(byte[] payload)
    {
        using var channel = GrpcChannel.ForAddress(fx.A.Address);
        var raw = new Method<byte[], byte[]>(MethodType.Unary, "grpctuner.v1.TunerService", "Ask", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(raw, null, new CallOptions(), payload).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("the request is not a valid AskRequest message", e.Status.Detail);
    }

    [Fact]
    public async Task TheSdkResolvesADnsNameAndBalancesOverWhatItFinds()
    {
        // localhost resolves to 127.0.0.1 and often ::1 too; the replica listens on the first only, and round robin skips the other.
        var port = new Uri(fx.A.Address).Port;
        using var client = new GrpcTuner.Client.TunerClient($"dns:///localhost:{port}");
        await client.CreateStudyAsync(TwoReplicasFixture.Study($"dns-{Guid.NewGuid():N}"));
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(await client.Raw.ListStudiesAsync(new GrpcTuner.V1.ListStudiesRequest()));
        }
    }

    [Fact]
    public async Task ReflectionListsTheTunerAndAdminServices()
    {
        using var channel = GrpcChannel.ForAddress(fx.A.Address);
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("grpctuner.v1.TunerService", services);
        Assert.Contains("grpctuner.v1.AdminService", services);
    }
}
