using System.Security.Cryptography.X509Certificates;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace GrpcTuner.Server.Hosting;

/// <summary>
/// <c>grpctuner-server --probe</c>: asks the replica these options describe, on loopback, whether it
/// serves (its store answering), for a container's health check. With TLS it trusts exactly the
/// certificate the replica is configured with, as no CA is at hand.
/// </summary>
public static class ReadinessProbe
{
    public static async Task<int> RunAsync(ServerOptions options)
    {
        var tls = options.TlsCertificate is not null;
        using var handler = new SocketsHttpHandler();
        if (tls)
        {
            using var own = X509CertificateLoader.LoadCertificateFromFile(options.TlsCertificate!);
            var thumbprint = own.Thumbprint;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && string.Equals(new X509Certificate2(certificate).Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase);
        }

        var address = $"{(tls ? "https" : "http")}://127.0.0.1:{options.Port}";
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
        try
        {
            var status = (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;
            if (status == HealthCheckResponse.Types.ServingStatus.Serving)
            {
                Console.WriteLine($"serving at {address}");
                return 0;
            }

            await Console.Error.WriteLineAsync($"error: the replica at {address} is {status}: its store does not answer (see its log)");
            return 1;
        }
        catch (Grpc.Core.RpcException e)
        {
            await Console.Error.WriteLineAsync($"error: no replica answers at {address}: {e.Status.Detail}");
            return 1;
        }
    }
}
