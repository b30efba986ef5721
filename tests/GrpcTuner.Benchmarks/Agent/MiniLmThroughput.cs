using System.Diagnostics;
using GrpcTuner.Agent.Models.Bert;
using GrpcTuner.Testing.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Benchmarks.Agent;

/// <summary>
/// Training samples/s of full fine-tuning of the real MiniLM (all-MiniLM-L6-v2, imported from
/// its ONNX export) on the CPU: forward, backward and AdamW step at seq 128, batch 32; ours in
/// TorchSharp beside the same model and the same weights in PyTorch (Debian's python3-torch,
/// Peers/bert_pytorch.py), with the same thread count, in one run; and each one's peak resident memory.
/// </summary>
internal static class MiniLmThroughput
{
    private const int Seq = 128, Batch = 32, Steps = 10;

    public static void Run(int threads)
    {
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        using var model = BertForSequenceClassification.FromPretrained(MiniLm.Folder, ["a", "b"], _ => { });
        using var optimizer = optim.AdamW(model.parameters(), 2e-5);
        using var ids = torch.randint(1000, 20000, [Batch, Seq]);
        using var mask = torch.ones_like(ids);
        using var types = torch.zeros_like(ids);
        using var labels = torch.randint(0, 2, [Batch]);
        model.train();
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(ids, mask, types), labels).backward();
            optimizer.step();
        }

        for (var i = 0; i < 2; i++)
        {
            Step();
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Steps; i++)
        {
            Step();
        }

        var ours = Steps * Batch / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"MiniLM full fine-tuning (6 layers, hidden 384, seq {Seq}, batch {Batch}), {threads} threads, training samples/s:");
        Console.WriteLine($"grpctuner (TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}): {ours:F2}, peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 >> 20} MiB");
        var peer = PeerProcess.Run("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Peers", "bert_pytorch.py"), MiniLm.Folder,
            "--threads", $"{threads}", "--seq", $"{Seq}", "--batch", $"{Batch}", "--steps", $"{Steps}"]);
        Console.WriteLine(peer is { } line ? $"peer: {line}" : "peer failed (needs /usr/bin/python3 with python3-torch and libopenblas0-pthread)");
        if (peer is not null && System.Text.Json.JsonDocument.Parse(peer).RootElement.GetProperty("samples_per_s").GetDouble() is var theirs and > 0)
        {
            Console.WriteLine($"ratio ours / PyTorch: {ours / theirs:F2}x");
        }
    }
}
