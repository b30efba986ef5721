using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace GrpcTuner.Client;

/// <summary>The HTTP handler of a channel: trusting one CA file instead of the system's roots when given one.</summary>
internal static class ClientTls
{
    public static SocketsHttpHandler Handler(string? caFile)
    {
        // Several HTTP/2 connections, so a busy client is not capped by one connection's stream limit.
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (caFile is null)
        {
            return handler;
        }

        X509Certificate2 authority;
        try
        {
            authority = X509CertificateLoader.LoadCertificateFromFile(caFile);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidDataException($"the CA file {caFile} (--ca-file, GRPCTUNER_CA_FILE) is not a certificate in PEM or DER: {e.Message}", e);
        }

        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false; // missing certificate or wrong host name: no CA makes that right
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return handler;
    }
}
