using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>A linear layer that may carry a LoRA adapter: the one place models apply one, so every model injects, freezes and merges alike.</summary>
public sealed class LoraLinear
{
    private readonly nn.Module _owner;
    private readonly string _adapterName;
    private LoraAdapter? _adapter;

    /// <param name="owner">The module the layer is registered in.</param>
    /// <param name="name">The layer's name there, as in the Hugging Face checkpoint (for example "query").</param>
    /// <param name="layer">The layer.</param>
    public LoraLinear(nn.Module owner, string name, Linear layer)
    {
        _owner = owner;
        Name = name;
        Layer = layer;
        _adapterName = name + "_lora";
        owner.register_module(name, layer);
    }

    public string Name { get; }

    public Linear Layer { get; }

    public bool HasAdapter => _adapter is not null;

    public Tensor Forward(Tensor x) => _adapter is null ? Layer.forward(x) : Layer.forward(x).add(_adapter.forward(x));

    /// <summary>Forward(activation(x)); without an adapter the activation is computed again in backward rather than kept (<see cref="RecomputedActivation"/>).</summary>
    public Tensor ForwardActivated(Func<Tensor, Tensor> activation, Tensor x) =>
        _adapter is null ? RecomputedActivation.Linear(activation, x, Layer) : Forward(activation(x));

    public void AddAdapter(int r, double alpha, double dropout)
    {
        _adapter = new LoraAdapter(Layer, r, alpha, dropout);
        _owner.register_module(_adapterName, _adapter);
    }

    /// <summary>Folds the adapter into the layer's weight; outputs stay the same (up to rounding).</summary>
    public void Merge()
    {
        _adapter?.MergeInto(Layer);
        _adapter = null;
    }
}
