using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// Gradient checkpointing (Hugging Face's gradient_checkpointing, torch.utils.checkpoint with
/// use_reentrant): a block runs forward without keeping its activations, only its inputs;
/// backward runs it again drawing the random numbers it drew (<see cref="RandomReplay"/>), so dropout
/// draws the same masks, and back-propagates through that copy. Activation memory drops from every layer's to one
/// layer's, for about a third more compute.
/// </summary>
public static class GradientCheckpoint
{
    /// <summary>The block's output for (input, context); recomputed in backward when gradients are being recorded. Only the input gets a gradient; the context (an attention mask) is kept for the recomputation.</summary>
    public static Tensor Run(Func<Tensor, Tensor, Tensor> block, Tensor input, Tensor context) =>
        Run(block, input, context, RandomReplay.For(input.device));

    /// <summary><see cref="Run(Func{Tensor, Tensor, Tensor}, Tensor, Tensor)"/> with the given way to replay the forward's random numbers.</summary>
    internal static Tensor Run(Func<Tensor, Tensor, Tensor> block, Tensor input, Tensor context, Capture random)
    {
        if (!torch.is_grad_enabled())
        {
            return block(input, context);
        }

        // An input from frozen layers (LoRA's embeddings) is made to require grad, as Hugging Face's
        // enable_input_require_grads does, so that backward reaches the block's trainable parameters.
        return Recompute.apply(block, input.requires_grad ? input : input.detach().requires_grad_(true), context, random);
    }

    private sealed class Recompute : autograd.SingleTensorFunction<Recompute>
    {
        public override string Name => "GradientCheckpoint";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (block, input, context, random) = ((Func<Tensor, Tensor, Tensor>)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Capture)vars[3]);
            ctx.save_data("block", block);
            ctx.save_data("replay", random());
            // Saved through autograd, so both stay alive until backward whatever disposes their wrappers.
            ctx.save_for_backward([input, context]);
            return block(input, context);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            using var scope = torch.NewDisposeScope();
            var saved = SavedTensors.Take(ctx);
            var block = (Func<Tensor, Tensor, Tensor>)ctx.get_data("block");
            using var grad = torch.enable_grad();
            var x = saved[0].detach().requires_grad_(true);
            var y = ((Replay)ctx.get_data("replay"))(() => block(x, saved[1]));
            // Reentrant: this backward accumulates the block's parameter gradients and yields the input's.
            y.backward([gradOutput]);
            return [null!, x.grad!.MoveToOuterDisposeScope(), null!, null!];
        }
    }
}
