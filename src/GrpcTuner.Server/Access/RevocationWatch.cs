using Grpc.Core;
using GrpcTuner.Core.Errors;

namespace GrpcTuner.Server.Access;

/// <summary>
/// Ends a long-lived call when its key is revoked: at once when the store's notice reaches this
/// replica, and, should a notice be lost, at the next check of the key against the store, every
/// <see cref="KeyAuthenticator.CacheTtl"/>. Calls admitted without a stored key are never ended.
/// </summary>
internal sealed class RevocationWatch : IDisposable
{
    private readonly KeyAuthenticator _authenticator;
    private readonly string? _keyId;
    private readonly CancellationTokenSource _call;
    private readonly CancellationTokenSource _stop = new();

    private RevocationWatch(KeyAuthenticator authenticator, string? keyId, CancellationTokenSource call)
    {
        (_authenticator, _keyId, _call) = (authenticator, keyId, call);
    }

    public bool Revoked { get; private set; }

    public static RevocationWatch Start(KeyAuthenticator authenticator, ServerCallContext context, CancellationTokenSource call)
    {
        var keyId = AccessInterceptor.FindPrincipal(context)?.KeyId;
        var watch = new RevocationWatch(authenticator, keyId, call);
        if (keyId is not null)
        {
            authenticator.Revoked += watch.OnRevoked;
            _ = watch.RecheckAsync(context.RequestHeaders.GetValue("authorization"));
        }

        return watch;
    }

    public void Dispose()
    {
        _authenticator.Revoked -= OnRevoked;
        _stop.Cancel();
        _stop.Dispose();
    }

    private void OnRevoked(string id)
    {
        if (id == _keyId)
        {
            End();
        }
    }

    private void End()
    {
        Revoked = true;
        try
        {
            _call.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call ended first.
        }
    }

    private async Task RecheckAsync(string? authorization)
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(KeyAuthenticator.CacheTtl, token).ConfigureAwait(false);
                await _authenticator.AuthenticateAsync(authorization, token, fresh: true).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // the call ended
            }
            catch (TunerException e) when (e.Kind == ErrorKind.Unauthenticated)
            {
                End();
                return;
            }
            catch (TunerException)
            {
                // The store is unreachable for now: check again at the next interval.
            }
        }
    }
}
