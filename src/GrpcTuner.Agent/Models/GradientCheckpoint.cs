using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// Gradient checkpointing (Hugging Face's gradient_checkpointing, torch.utils.checkpoint with
/// use_reentrant): a block runs forward without keeping its activations, only its inputs;
/// backward runs it again with the random generator as it was, so dropout draws the same masks,
/// and back-propagates through that copy. Activation memory drops from every layer's to one
/// layer's, for about a third more compute.
/// </summary>
public static class GradientCheckpoint
{
    /// <summary>The block's output for (input, context); recomputed in backward when gradients are being recorded. Only the input gets a gradient; the context (an attention mask) is kept for the recomputation.</summary>
    public static Tensor Run(Func<Tensor, Tensor, Tensor> block, Tensor input, Tensor context)
    {
        if (!torch.is_grad_enabled())
        {
            return block(input, context);
        }

        // An input from frozen layers (LoRA's embeddings) is made to require grad, as Hugging Face's
        // enable_input_require_grads does, so that backward reaches the block's trainable parameters.
        return Recompute.apply(block, input.requires_grad ? input : input.detach().requires_grad_(true), context);
    }

    private sealed class Recompute : autograd.SingleTensorFunction<Recompute>
    {
        public override string Name => "GradientCheckpoint";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (block, input, context) = ((Func<Tensor, Tensor, Tensor>)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
            ctx.save_data("block", block);
            using var rng = torch.get_rng_state();
            ctx.save_data("rng", rng.data<byte>().ToArray());
            // Saved through autograd, so both stay alive until backward whatever disposes their wrappers.
            ctx.save_for_backward([input, context]);
            return block(input, context);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            using var scope = torch.NewDisposeScope();
            var saved = SavedTensors.Take(ctx);
            var block = (Func<Tensor, Tensor, Tensor>)ctx.get_data("block");
            var after = torch.get_rng_state();
            torch.set_rng_state(torch.tensor((byte[])ctx.get_data("rng")));
            using var grad = torch.enable_grad();
            var x = saved[0].detach().requires_grad_(true);
            var y = block(x, saved[1]);
            torch.set_rng_state(after);
            // Reentrant: this backward accumulates the block's parameter gradients and yields the input's.
            y.backward([gradOutput]);
            return [null!, x.grad!.MoveToOuterDisposeScope(), null!];
        }
    }
}
