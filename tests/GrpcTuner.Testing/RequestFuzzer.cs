using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Testing;

/// <summary>
/// Random and mutated requests for every TunerService method, sent as raw bytes: messages with
/// wild field values (valid protobuf), mutated encodings (often not), gRPC bodies of garbage on
/// the HTTP/2 stream, and garbage on bare TCP. Deterministic per seed. Records every status per
/// kind, so a test can require that bad input never gets INTERNAL, UNKNOWN or UNAVAILABLE.
/// </summary>
public sealed class RequestFuzzer(int seed, string knownStudy)
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);
    private static readonly MethodDescriptor[] Methods = [.. TunerService.Descriptor.Methods];

    private readonly Random _random = new(seed);
    private readonly Dictionary<(string Kind, StatusCode Status), int> _statuses = [];

    /// <summary>(kind, status) -> count; kinds: "message", "mutated", "frame" (garbage gRPC body), "tcp" (bare garbage, status OK when the connection closed cleanly).</summary>
    public IReadOnlyDictionary<(string Kind, StatusCode Status), int> Statuses => _statuses;

    /// <summary>The first requests that drew INTERNAL, UNKNOWN or UNAVAILABLE, for the failure message.</summary>
    public List<string> Suspicious { get; } = [];

    /// <summary>Milliseconds each gRPC call took, answer included, for the CPU budget of a request.</summary>
    public List<double> Latencies { get; } = [];

    /// <summary>The slowest call so far: its method and milliseconds.</summary>
    public (string Method, double Ms) Slowest { get; private set; }

    // Every size limit a request field has (names, parameters, per-trial suggestions, choices and pages, startup trials):
    // sizes are drawn around them and up to twice them.
    private static readonly int[] Limits = [128, 256, 1000, 1024, 10_000, 100_000];

    public async Task RunAsync(string address, int requests, CancellationToken ct = default)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null });
        var invoker = channel.CreateCallInvoker();
        using var http = new HttpClient(new SocketsHttpHandler());
        var uri = new Uri(address);
        for (var i = 0; i < requests && !ct.IsCancellationRequested; i++)
        {
            var method = Methods[_random.Next(Methods.Length)];
            switch (_random.Next(20))
            {
                case < 12:
                    await CallAsync(invoker, method, "message", RandomMessage(method.InputType, 0).ToByteArray(), ct);
                    break;
                case < 17:
                    await CallAsync(invoker, method, "mutated", Mutate(RandomMessage(method.InputType, 0).ToByteArray()), ct);
                    break;
                case < 19:
                    await FrameAsync(http, address, method, ct);
                    break;
                default:
                    await TcpAsync(uri, ct);
                    break;
            }
        }
    }

    private async Task CallAsync(CallInvoker invoker, MethodDescriptor method, string kind, byte[] payload, CancellationToken ct)
    {
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (method.IsServerStreaming)
            {
                // A watch streams until cancelled: the first event (or the refusal) is the answer.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                using var call = invoker.AsyncServerStreamingCall(new Method<byte[], byte[]>(MethodType.ServerStreaming, method.Service.FullName, method.Name, Bytes, Bytes), null, options.WithCancellationToken(stop.Token), payload);
                await call.ResponseStream.MoveNext(stop.Token);
                await stop.CancelAsync();
            }
            else
            {
                await invoker.AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, method.Service.FullName, method.Name, Bytes, Bytes), null, options, payload);
            }

            Record(kind, StatusCode.OK, () => "");
        }
        catch (RpcException e)
        {
            Record(kind, e.StatusCode, () => $"{method.Name} {Convert.ToHexString(payload.AsSpan(0, Math.Min(payload.Length, 64)))}: {e.Status.Detail}");
        }

        var ms = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Latencies.Add(ms);
        if (ms > Slowest.Ms)
        {
            Slowest = (method.Name, ms);
        }
    }

    /// <summary>A gRPC request whose body is not a well-formed gRPC frame: random bytes, a lying length, or a compressed flag without an encoding.</summary>
    private async Task FrameAsync(HttpClient http, string address, MethodDescriptor method, CancellationToken ct)
    {
        var body = _random.Next(3) switch
        {
            0 => RandomBytes(_random.Next(0, 64)),
            1 => [0, 0, 0, 0x10, 0, 1, 2, 3],
            _ => [1, 0, 0, 0, 2, 8, 1],
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{address}/{method.Service.FullName}/{method.Name}")
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        try
        {
            using var response = await http.SendAsync(request, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            var grpcStatus = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.First()
                : response.Headers.TryGetValues("grpc-status", out var headerValues) ? headerValues.First() : "2";
            Record("frame", (StatusCode)int.Parse(grpcStatus, System.Globalization.CultureInfo.InvariantCulture), () => $"{method.Name} {Convert.ToHexString(body)} (HTTP {(int)response.StatusCode})");
        }
        catch (HttpRequestException e)
        {
            Record("frame", StatusCode.Unavailable, () => $"{method.Name} {Convert.ToHexString(body)}: {e.Message}");
        }
    }

    private async Task TcpAsync(Uri uri, CancellationToken ct)
    {
        using var socket = new TcpClient();
        try
        {
            await socket.ConnectAsync(uri.Host, uri.Port, ct);
            await socket.GetStream().WriteAsync(RandomBytes(_random.Next(1, 512)), ct);
            socket.Client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[256];
            while (await socket.GetStream().ReadAsync(buffer, ct) > 0)
            {
            }

            Record("tcp", StatusCode.OK, () => "");
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
        {
            Record("tcp", StatusCode.OK, () => ""); // closed or reset by the server: also a clean refusal
        }
    }

    /// <summary>Counts a status; INTERNAL or UNKNOWN (a server bug) and UNAVAILABLE (the server or the reply broke) are kept as suspicious.</summary>
    private void Record(string kind, StatusCode status, Func<string> what)
    {
        _statuses[(kind, status)] = _statuses.GetValueOrDefault((kind, status)) + 1;
        if (status is StatusCode.Internal or StatusCode.Unknown or StatusCode.Unavailable && Suspicious.Count < 20)
        {
            Suspicious.Add($"{kind} {status} {what()}");
        }
    }

    private IMessage RandomMessage(MessageDescriptor descriptor, int depth)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            if (_random.NextDouble() < (depth == 0 ? 0.2 : 0.4) || (field.ContainingOneof is { } oneof && oneof.Accessor.GetCaseFieldDescriptor(message) is not null))
            {
                continue;
            }

            if (field.IsMap)
            {
                var map = (System.Collections.IDictionary)field.Accessor.GetValue(message);
                var entry = field.MessageType;
                for (var i = Count(depth); i > 0; i--)
                {
                    map[Value(entry.FindFieldByNumber(1), depth + 1)] = Value(entry.FindFieldByNumber(2), depth + 1);
                }
            }
            else if (field.IsRepeated)
            {
                var list = (System.Collections.IList)field.Accessor.GetValue(message);
                for (var i = Count(depth); i > 0; i--)
                {
                    list.Add(Value(field, depth + 1));
                }
            }
            else if (field.FieldType != FieldType.Message || depth < 3)
            {
                field.Accessor.SetValue(message, Value(field, depth));
            }

        }

        return message;
    }

    // Long lists only at the top, and long strings only outside lists: wild, yet a message stays well under the 16 MB limit.
    private int Count(int depth) => _random.Next(10) switch
    {
        < 3 => 0,
        < 9 => _random.Next(1, 6),
        // Lists of a top-level message reach twice the largest list limit (10,000 choices or imported trials).
        _ => depth == 0 ? (_random.Next(4) == 0 ? _random.Next(10_000, 20_001) : _random.Next(50, 3000)) : _random.Next(6, 20),
    };

    private int AroundLimit()
    {
        var limit = Limits[_random.Next(Limits.Length)];
        return _random.Next(4) switch { 0 => limit, 1 => limit + 1, 2 => 2 * limit, _ => _random.Next(0, (2 * limit) + 1) };
    }

    private object Value(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.String => String(depth),
        FieldType.Bool => _random.Next(2) == 0,
        FieldType.Double => Pick(double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.MaxValue, double.Epsilon, 1e-300, _random.NextDouble(), -_random.NextDouble() * 1e6, 0.5),
        FieldType.Float => (float)_random.NextDouble(),
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => Pick(0, -1, 1, int.MaxValue, int.MinValue, _random.Next(-100, 100), AroundLimit(), AroundLimit()),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Pick(0L, -1L, 1L, long.MaxValue, long.MinValue, (long)_random.Next(-100, 100), 1L << 53, AroundLimit()),
        FieldType.UInt64 or FieldType.Fixed64 => Pick(0UL, 1UL, ulong.MaxValue, (ulong)_random.Next(0, 100)),
        FieldType.UInt32 or FieldType.Fixed32 => Pick(0U, 1U, uint.MaxValue),
        FieldType.Enum => Pick(0, 1, 2, 3, 4, 5, -1, 99, int.MaxValue),
        FieldType.Bytes => ByteString.CopyFrom(RandomBytes(_random.Next(0, 32))),
        FieldType.Message => RandomMessage(field.MessageType, Math.Max(depth, 1) + 1),
        _ => throw new NotSupportedException($"field type {field.FieldType}"),
    };

    private string String(int depth) => _random.Next(12) switch
    {
        0 => "",
        1 or 2 or 3 => knownStudy,
        4 => new string('x', depth == 0 ? _random.Next(129, 100_000) : _random.Next(129, 300)),
        5 => "ünïcødé/名前/🙂",
        6 => "\0\u0001\n\r\t",
        7 => "../../etc/passwd",
        8 => "*",
        9 => "x",
        10 => $"fuzz-{_random.Next(1000)}",
        _ => Convert.ToBase64String(RandomBytes(_random.Next(1, 24))),
    };

    private byte[] Mutate(byte[] bytes)
    {
        var list = bytes.ToList();
        for (var n = _random.Next(1, 5); n > 0; n--)
        {
            switch (_random.Next(4))
            {
                case 0 when list.Count > 0:
                    list[_random.Next(list.Count)] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1:
                    list.Insert(_random.Next(list.Count + 1), (byte)_random.Next(256));
                    break;
                case 2 when list.Count > 0:
                    list.RemoveRange(_random.Next(list.Count), 1);
                    break;
                default:
                    list.AddRange(RandomBytes(_random.Next(1, 8)));
                    break;
            }
        }

        return [.. list];
    }

    private byte[] RandomBytes(int n)
    {
        var b = new byte[n];
        _random.NextBytes(b);
        return b;
    }

    private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];
}
