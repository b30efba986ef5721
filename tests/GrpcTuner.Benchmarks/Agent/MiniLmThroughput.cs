using System.Diagnostics;
using GrpcTuner.Agent.Models.Bert;
using GrpcTuner.Agent.Training;
using GrpcTuner.Testing.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Benchmarks.Agent;

/// <summary>
/// Training samples/s of full fine-tuning of the real MiniLM (all-MiniLM-L6-v2, imported from
/// its ONNX export) on the CPU: forward, backward and AdamW step at seq 128, batch 32; ours in
/// TorchSharp beside the same model and the same weights in PyTorch (Debian's python3-torch,
/// Peers/bert_pytorch.py), with the same thread count, in one run, taking turns; and each one's peak resident memory.
/// </summary>
internal static class MiniLmThroughput
{
    private const int Seq = 128, Batch = 32, Steps = 10, Rounds = 3;

    public static void Run(int threads)
    {
        // The agent's settings: glibc's and libtorch's allocation, and MKL's kernels (GRPCTUNER_MKL_VENDOR_CHECK=keep measures without).
        LeanMemory.Apply(lean: false);
        var mkl = MklVendorCheck.Lift();
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
            using (torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.forward(ids, mask, types), labels).backward();
                optimizer.step();
            }

            // As the agent's EpochTrainer does after every step.
            LeanMemory.CollectFinalized();
        }

        Console.WriteLine($"MiniLM full fine-tuning (6 layers, hidden 384, seq {Seq}, batch {Batch}), {threads} threads, training samples/s,");
        Console.WriteLine($"ours (TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}; oneMKL: {mkl.Detail}; allocator {Jemalloc.Describe()}) and PyTorch taking turns, {Rounds} rounds of {Steps} steps after 2 warm-up steps:");
        // Turns, so that the drift of a shared machine's speed over minutes falls on both alike.
        var ratios = new List<double>();
        for (var round = 1; round <= Rounds; round++)
        {
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
            var peer = PeerProcess.Run("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Peers", "bert_pytorch.py"), MiniLm.Folder,
                "--threads", $"{threads}", "--seq", $"{Seq}", "--batch", $"{Batch}", "--steps", $"{Steps}"]);
            if (peer is null)
            {
                Console.WriteLine("peer failed (needs /usr/bin/python3 with python3-torch and libopenblas0-pthread)");
                return;
            }

            var theirs = System.Text.Json.JsonDocument.Parse(peer).RootElement.GetProperty("samples_per_s").GetDouble();
            ratios.Add(ours / theirs);
            Console.WriteLine($"round {round}: ours {ours:F2}, PyTorch {theirs:F2} ({peer}), ratio {ours / theirs:F2}x");
        }

        Console.WriteLine($"ours peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 >> 20} MiB; ratio ours / PyTorch, median of {Rounds} rounds: {ratios.Order().ElementAt(Rounds / 2):F2}x (min {ratios.Min():F2}x, max {ratios.Max():F2}x)");
    }
}
