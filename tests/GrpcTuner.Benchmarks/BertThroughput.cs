using System.Diagnostics;
using GrpcTuner.Agent.Models.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Benchmarks;

/// <summary>
/// Training samples/s of BERT fine-tuning on the CPU (forward, backward, AdamW step), ours in
/// TorchSharp beside the same model, batch and thread count in PyTorch (Debian's python3-torch),
/// in one run.
/// </summary>
internal static class BertThroughput
{
    private const int Hidden = 256, Layers = 4, Heads = 4, Intermediate = 1024, Vocab = 30522, Seq = 128, Batch = 16, Steps = 20;

    public static async Task RunAsync(int threads)
    {
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        using var model = new BertForSequenceClassification(new BertConfig
        {
            VocabSize = Vocab, HiddenSize = Hidden, NumHiddenLayers = Layers, NumAttentionHeads = Heads, IntermediateSize = Intermediate, NumLabels = 2,
        });
        using var optimizer = optim.AdamW(model.parameters(), 2e-5);
        var ids = torch.randint(0, Vocab, [Batch, Seq]);
        var mask = torch.ones_like(ids);
        var labels = torch.randint(0, 2, [Batch]);
        model.train();
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(ids, mask, torch.zeros_like(ids)), labels).backward();
            optimizer.step();
        }

        for (var i = 0; i < 3; i++)
        {
            Step();
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Steps; i++)
        {
            Step();
        }

        var ours = Steps * Batch / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"BERT (hidden {Hidden}, {Layers} layers, seq {Seq}, batch {Batch}), {threads} threads, training samples/s:");
        Console.WriteLine($"grpctuner (TorchSharp {typeof(torch).Assembly.GetName().Version}): {ours:F1}");
        var script = Path.Combine(AppContext.BaseDirectory, "Peers", "bert_pytorch.py");
        var psi = new ProcessStartInfo("/usr/bin/python3", $"{script} --threads {threads} --hidden {Hidden} --layers {Layers} --heads {Heads} --inter {Intermediate} --vocab {Vocab} --seq {Seq} --batch {Batch} --steps {Steps}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // This workplace pins OpenBLAS to an old kernel through these two variables; they slow a
        // current OpenBLAS, so the peer runs without them (Debian's python3-torch uses the system
        // BLAS: install libopenblas0-pthread, or it falls back to the slow reference BLAS).
        psi.Environment.Remove("OPENBLAS_CORETYPE");
        psi.Environment.Remove("OPENBLAS_L2_SIZE");
        using var peer = Process.Start(psi)!;
        var output = await peer.StandardOutput.ReadToEndAsync();
        var error = await peer.StandardError.ReadToEndAsync();
        await peer.WaitForExitAsync();
        Console.WriteLine(peer.ExitCode == 0 ? $"peer: {output.Trim()}" : $"peer failed (needs /usr/bin/python3 with python3-torch): {error.Trim().Split('\n').Last()}");
    }
}
