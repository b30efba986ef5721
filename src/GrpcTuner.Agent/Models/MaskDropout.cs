using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// Dropout, x * keep / (1 - p), that keeps its mask for backward as bytes. libtorch's dropout on the
/// CPU keeps the scaled noise it multiplied by, a float per element: in a BERT layer, two of the
/// hidden state's size. The arithmetic and the random draws' distribution are those of nn.Dropout.
/// </summary>
public sealed class MaskDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _p;

    /// <param name="p">Probability of dropping an element.</param>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1].</exception>
    public MaskDropout(double p) : base(nameof(MaskDropout))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 1);
        _p = p;
    }

    public override Tensor forward(Tensor x)
    {
        if (!training || _p == 0)
        {
            return x.alias();
        }

        if (_p == 1)
        {
            return x.mul(0);
        }

        using var keep = KeepMask(x, _p);
        return x.mul(keep).div_(1 - _p);
    }

    /// <summary>
    /// Which elements of a tensor shaped as <paramref name="like"/> dropout keeps, as bytes. The draw is
    /// libtorch dropout's (bernoulli_ with 1 - p over the tensor's shape), so a seeded run draws the
    /// masks nn.Dropout drew.
    /// </summary>
    internal static Tensor KeepMask(Tensor like, double p) => torch.empty_like(like, ScalarType.Bool).bernoulli_(1 - p);
}
