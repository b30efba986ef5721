using System.Text.Json;
using GrpcTuner.Agent.Models.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Training;

/// <summary>Where a run stood after an epoch: enough, with the files beside it, to continue bit for bit.</summary>
public sealed record TrainerState(int EpochsDone, int Step, double Metric, string TorchRng, string ShuffleRng);

/// <summary>
/// A run's checkpoints under its folder, one subfolder per epoch (epoch-00003): model.safetensors
/// (every weight, adapters included), optimizer.bin (TorchSharp's optimizer state) and
/// trainer.json (epoch, optimizer step, metric and both random generators). Each is written under
/// a staging name and renamed, and the one before it is kept, so a reader (a resumed run, or a
/// PBT trial exploiting this one) never sees half of one or one that vanishes under it.
/// </summary>
public static class Checkpoint
{
    /// <returns>The folder of this epoch's checkpoint.</returns>
    public static string Save(string root, nn.Module model, OptimizerHelper optimizer, TrainerState state)
    {
        var folder = Path.Combine(root, $"epoch-{state.EpochsDone:D5}");
        var staging = folder + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        SafeTensors.Save(Path.Combine(staging, SafeTensors.FileName), model.state_dict(), ScalarType.Float32);
        optimizer.save_state_dict(Path.Combine(staging, "optimizer.bin"));
        File.WriteAllText(Path.Combine(staging, "trainer.json"), JsonSerializer.Serialize(state));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(staging, folder);
        foreach (var old in Epochs(root).SkipLast(2))
        {
            Directory.Delete(old, recursive: true);
        }

        return folder;
    }

    /// <summary>Restores model and optimizer from a checkpoint (an epoch folder, or a run's folder for its latest epoch); null when there is none.</summary>
    public static TrainerState? TryLoad(string? path, nn.Module model, OptimizerHelper optimizer)
    {
        if (Latest(path) is not { } folder)
        {
            return null;
        }

        var weights = SafeTensors.Load(Path.Combine(folder, SafeTensors.FileName));
        try
        {
            using var noGrad = torch.no_grad();
            model.load_state_dict(weights);
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }

        optimizer.load_state_dict(Path.Combine(folder, "optimizer.bin"));
        return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(folder, "trainer.json")));
    }

    /// <summary>Whether there is a checkpoint to load at <paramref name="path"/> (an epoch folder, or a run's folder with one).</summary>
    public static bool Exists(string? path) => Latest(path) is not null;

    private static string? Latest(string? path)
    {
        var folder = path is not null && !File.Exists(Path.Combine(path, "trainer.json")) && Directory.Exists(path) ? Epochs(path).LastOrDefault() : path;
        return folder is not null && File.Exists(Path.Combine(folder, "trainer.json")) ? folder : null;
    }

    private static IEnumerable<string> Epochs(string root) =>
        Directory.Exists(root) ? Directory.GetDirectories(root, "epoch-*").Where(d => !d.Contains(".tmp-", StringComparison.Ordinal)).Order(StringComparer.Ordinal) : [];

    public static string Encode(Tensor rngState) => Convert.ToBase64String(rngState.data<byte>().ToArray());

    public static Tensor Decode(string rngState) => torch.tensor(Convert.FromBase64String(rngState));
}
