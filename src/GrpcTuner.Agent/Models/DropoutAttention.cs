using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// softmax(q k^T / sqrt(d) + mask) v with dropout on the probabilities, as BERT trains, keeping for
/// backward only the probabilities and a byte keep-mask. With dropout, libtorch's scaled dot-product
/// attention on the CPU takes its math path, which keeps the probabilities, the float dropout noise
/// and the dropped probabilities: three (batch, heads, seq, seq) floats per layer where this keeps
/// one and a byte. Backward is written out (no recomputation through autograd), so it costs what
/// libtorch's does.
/// </summary>
public static class DropoutAttention
{
    /// <summary>The attention's output (batch, heads, seq, head_dim).</summary>
    /// <param name="q">Queries (batch, heads, seq, head_dim).</param>
    /// <param name="k">Keys, shaped as q.</param>
    /// <param name="v">Values, shaped as q.</param>
    /// <param name="additiveMask">Added to the scaled scores, broadcast to (batch, heads, seq, seq): 0 where attended, a large negative number on padding.</param>
    /// <param name="p">Probability of dropping an attention probability, in (0, 1).</param>
    public static Tensor Apply(Tensor q, Tensor k, Tensor v, Tensor additiveMask, double p)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1);
        if (torch.is_grad_enabled())
        {
            return Function.apply(q, k, v, additiveMask, p);
        }

        // Without gradients (the first pass of a checkpointed layer) the same draws, nothing kept.
        using var scope = torch.NewDisposeScope();
        var (probs, keep) = Probabilities(q, k, additiveMask, p);
        return Output(probs, keep, v, p).MoveToOuterDisposeScope();
    }

    private static (Tensor Probs, Tensor Keep) Probabilities(Tensor q, Tensor k, Tensor additiveMask, double p)
    {
        using var scores = torch.matmul(q, k.transpose(-2, -1)).mul_(1 / Math.Sqrt(q.shape[^1])).add_(additiveMask);
        var probs = scores.softmax(-1);
        return (probs, MaskDropout.KeepMask(probs, p));
    }

    // The 1 / (1 - p) of dropout is applied to the (seq, head_dim) output, not to the (seq, seq)
    // probabilities; and the mask by where, since a float times a bool tensor takes libtorch's slow
    // mixed-type path.
    private static Tensor Output(Tensor probs, Tensor keep, Tensor v, double p)
    {
        using var dropped = Kept(probs, keep);
        return torch.matmul(dropped, v).div_(1 - p);
    }

    private static Tensor Kept(Tensor t, Tensor keep) => torch.where(keep, t, 0.0f);

    private sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => nameof(DropoutAttention);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (q, k, v, mask, p) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (double)vars[4]);
            // Not in a dispose scope of its own: autograd takes what is saved only after forward returns.
            var (probs, keep) = Probabilities(q, k, mask, p);
            ctx.save_for_backward([q, k, v, probs, keep]);
            ctx.save_data("p", p);
            return Output(probs, keep, v, p);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            using var scope = torch.NewDisposeScope();
            var saved = SavedTensors.Take(ctx);
            var (q, k, v, probs, keep) = (saved[0], saved[1], saved[2], saved[3], saved[4]);
            var g = gradOutput.div(1 - (double)ctx.get_data("p"));
            var gradV = torch.matmul(Kept(probs, keep).transpose(-2, -1), g);
            // Through the dropout, then softmax's backward: probs * (d - sum(d * probs)).
            var gradScores = Kept(torch.matmul(g, v.transpose(-2, -1)), keep).mul_(probs);
            gradScores.addcmul_(probs, gradScores.sum(-1, keepdim: true), value: -1);
            var scale = 1 / Math.Sqrt(q.shape[^1]);
            var gradQ = torch.matmul(gradScores, k).mul_(scale);
            var gradK = torch.matmul(gradScores.transpose(-2, -1), q).mul_(scale);
            return [gradQ.MoveToOuterDisposeScope(), gradK.MoveToOuterDisposeScope(), gradV.MoveToOuterDisposeScope(), null!, null!];
        }
    }
}
