using System.Text.Json;
using GrpcTuner.Agent.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Training;

/// <summary>Where a run stood after an epoch: enough, with the files beside it, to continue bit for bit.</summary>
public sealed record TrainerState(int EpochsDone, int Step, double Metric, string TorchRng, string ShuffleRng);

/// <summary>
/// A run's checkpoint in a folder: model.safetensors (every weight, adapters included),
/// optimizer.bin (TorchSharp's optimizer state) and trainer.json (epoch, optimizer step, metric
/// and both random generators). Written to a fresh folder and renamed, so a reader never sees half of one.
/// </summary>
public static class Checkpoint
{
    public static void Save(string folder, nn.Module model, OptimizerHelper optimizer, TrainerState state)
    {
        var staging = folder + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        SafeTensors.Save(Path.Combine(staging, "model.safetensors"), model.state_dict(), ScalarType.Float32);
        optimizer.save_state_dict(Path.Combine(staging, "optimizer.bin"));
        File.WriteAllText(Path.Combine(staging, "trainer.json"), JsonSerializer.Serialize(state));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(staging, folder);
    }

    /// <summary>Restores model and optimizer from a checkpoint folder; null when there is none.</summary>
    public static TrainerState? TryLoad(string? folder, nn.Module model, OptimizerHelper optimizer)
    {
        if (folder is null || !File.Exists(Path.Combine(folder, "trainer.json")))
        {
            return null;
        }

        var weights = SafeTensors.Load(Path.Combine(folder, "model.safetensors"));
        using (torch.no_grad())
        {
            model.load_state_dict(weights);
        }

        optimizer.load_state_dict(Path.Combine(folder, "optimizer.bin"));
        return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(folder, "trainer.json")));
    }

    public static string Encode(Tensor rngState) => Convert.ToBase64String(rngState.data<byte>().ToArray());

    public static Tensor Decode(string rngState) => torch.tensor(Convert.FromBase64String(rngState));
}
