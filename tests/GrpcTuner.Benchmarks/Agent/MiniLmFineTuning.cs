using System.Diagnostics;
using System.Globalization;
using GrpcTuner.Agent.Tasks;
using GrpcTuner.Agent.Training;
using GrpcTuner.V1;
using TorchSharp;

namespace GrpcTuner.Benchmarks.Agent;

/// <summary>
/// What fine-tuning the real MiniLM buys on the fortunes task: full fine-tuning and LoRA, each at
/// a few learning rates, against the same architecture from random initialisation with the same
/// budget (epochs, batch, sequence length), with the majority baseline of the test split. LoRA
/// has rank 16 and alpha 32 on the query and value projections, the head training in full.
/// Validation accuracy picks the learning rate; test accuracy is that model's.
/// </summary>
internal static class MiniLmFineTuning
{
    public static async Task RunAsync(int epochs, bool quick)
    {
        var dir = Directory.CreateTempSubdirectory("grpctuner-finetune-").FullName;
        try
        {
            // As the agent does before its first matrix product.
            Console.WriteLine($"oneMKL: {MklVendorCheck.Lift().Detail}; allocator: {Jemalloc.Describe()}");
            torch.set_num_threads(Environment.ProcessorCount);
            var pretrained = TaskFile.Load(FortunesTask.Write(dir, defaults: "group_by_length: true"));
            await pretrained.PrepareAsync(CancellationToken.None);
            var scratch = TaskFile.Load(FortunesTask.Write(dir, "initialization: random\n", "group_by_length: true"));
            var runs = new (string Method, ITrainingTask Task, double[] Rates)[]
            {
                ("full", pretrained, quick ? [1e-4] : [3e-5, 1e-4, 2e-4]),
                ("lora", pretrained, quick ? [3e-3] : [1e-3, 3e-3, 1e-2]),
                ("random init", scratch, quick ? [3e-4] : [1e-4, 3e-4, 1e-3]),
            };
            Console.WriteLine($"MiniLM on fortunes {FortunesTask.Categories}: {epochs} epochs, batch 32, max_seq_length 128, group_by_length, warm-up 10%, LoRA r 16 alpha 32 on query and value");
            Console.WriteLine("| method | learning rate | validation accuracy | test accuracy | majority baseline (test) | seconds |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var (method, task, rates) in runs)
            {
                foreach (var rate in rates)
                {
                    var clock = Stopwatch.StartNew();
                    var hp = task.HyperParametersOf(new Dictionary<string, ParamValue>
                    {
                        ["method"] = new() { StringValue = method == "lora" ? "lora" : "full" },
                        ["learning_rate"] = new() { FloatValue = rate },
                        ["num_epochs"] = new() { IntValue = epochs },
                        ["per_device_batch_size"] = new() { IntValue = 32 },
                        ["warmup_ratio"] = new() { FloatValue = 0.1 },
                        ["lora_r"] = new() { IntValue = 16 },
                        ["lora_alpha"] = new() { FloatValue = 32 },
                    });
                    var context = new TrialContext(0, hp, torch.CPU, (_, _, _) => Task.FromResult(ReportDecision.Continue), _ => { });
                    var outcome = task.Run(context, CancellationToken.None);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {method} | {rate:G3} | {outcome.Metric:F4} | {double.Parse(outcome.Attributes["test_accuracy"], CultureInfo.InvariantCulture):F4} | {double.Parse(outcome.Attributes["majority_baseline"], CultureInfo.InvariantCulture):F4} | {clock.Elapsed.TotalSeconds:F0} |"));
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
