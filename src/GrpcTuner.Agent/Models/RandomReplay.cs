using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// How a checkpointed block's recomputation draws the random numbers (dropout masks) its forward
/// drew. <see cref="Capture"/> runs just before the forward and returns the <see cref="Replay"/> that
/// runs the recomputation.
/// </summary>
internal delegate Replay Capture();

/// <summary>Runs the recomputation drawing the forward's random numbers, and returns its output.</summary>
internal delegate Tensor Replay(Func<Tensor> recompute);

internal static class RandomReplay
{
    /// <summary>The generator that draws on <paramref name="device"/>'s tensors, captured as exactly as TorchSharp allows.</summary>
    public static Capture For(torch.Device device) =>
        device.type == DeviceType.CUDA ? () => Reseeded(torch.cuda.manual_seed) : CpuState;

    /// <summary>
    /// The CPU generator's state, restored for the recomputation and put back after it, as
    /// torch.utils.checkpoint does: checkpointing changes no number.
    /// </summary>
    public static Replay CpuState()
    {
        using var state = torch.get_rng_state();
        var saved = state.data<byte>().ToArray();
        return recompute =>
        {
            using var after = torch.get_rng_state();
            using var before = torch.tensor(saved);
            torch.set_rng_state(before);
            try
            {
                return recompute();
            }
            finally
            {
                torch.set_rng_state(after);
            }
        };
    }

    /// <summary>
    /// For a generator whose state TorchSharp does not expose (CUDA's, in 0.107: only its seed can be
    /// set): the forward seeds it with a number drawn from the CPU generator, and the recomputation
    /// seeds it the same, so both draw the same masks. The generator's stream after a block differs
    /// from a run without checkpointing, but is the same for the same seed.
    /// </summary>
    public static Replay Reseeded(Action<long> seed)
    {
        using var drawn = torch.randint(long.MaxValue, [1], dtype: torch.int64);
        var value = drawn.item<long>();
        seed(value);
        return recompute =>
        {
            seed(value);
            return recompute();
        };
    }
}
