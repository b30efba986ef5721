using System.Numerics;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers;

/// <summary>
/// Every combination of the space's values, visited in an order shuffled by the seed through an
/// affine permutation of the index, so that any point can be computed from its index alone.
/// </summary>
public sealed class GridSampler : ISequenceSampler
{
    /// <summary>Largest grid accepted; indexes must stay exact in Redis' Lua numbers.</summary>
    public const long MaxPoints = 1L << 40;

    private readonly SearchSpace _space;
    private readonly long[] _lengths;
    private readonly long _size;
    private readonly long _multiplier;
    private readonly long _offset;

    public GridSampler(SearchSpace space, ulong seed)
    {
        _space = space;
        _lengths = space.Params.Select(p => AxisLength(p.Distribution)).ToArray();
        _size = CountPoints(space) ?? throw new ArgumentException($"The grid has more than {MaxPoints} points.", nameof(space));
        var rng = Rng.For(seed, "grid");
        _offset = rng.NextLong(_size);
        _multiplier = PickCoprime(_size, rng);
    }

    public long? Size => _size;

    /// <summary>The number of grid points, or null when it exceeds <see cref="MaxPoints"/>.</summary>
    public static long? CountPoints(SearchSpace space)
    {
        BigInteger total = 1;
        foreach (var p in space.Params)
        {
            total *= AxisLength(p.Distribution);
            if (total > MaxPoints)
            {
                return null;
            }
        }

        return (long)total;
    }

    public IReadOnlyDictionary<string, ParamValue> PointAt(long index)
    {
        if (index < 0 || index >= _size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the grid has {_size} points");
        }

        var position = (long)((((BigInteger)_multiplier * index) + _offset) % _size);
        var point = new Dictionary<string, ParamValue>(_lengths.Length, StringComparer.Ordinal);
        for (var d = _lengths.Length - 1; d >= 0; d--)
        {
            var spec = _space.Params[d];
            point[spec.Name] = AxisValue(spec.Distribution, position % _lengths[d]);
            position /= _lengths[d];
        }

        return point;
    }

    private static long AxisLength(Distribution d) => d switch
    {
        CategoricalDistribution c => c.Choices.Count,
        IntDistribution i => i.Count,
        FloatDistribution { Count: { } count } => count,
        _ => throw new ArgumentException("A grid needs a step on every float parameter."),
    };

    private static ParamValue AxisValue(Distribution d, long k) => d switch
    {
        CategoricalDistribution c => c.Choices[(int)k],
        IntDistribution i => ParamValue.Of(i.Low + (k * i.Step)),
        FloatDistribution f => ParamValue.Of(Math.Min(f.Low + (k * f.Step!.Value), f.High)),
        _ => throw new InvalidOperationException("unreachable: the constructor rejects other distributions"),
    };

    private static long PickCoprime(long n, Rng rng)
    {
        if (n <= 2)
        {
            return 1;
        }

        while (true)
        {
            var a = 1 + rng.NextLong(n - 1);
            if (BigInteger.GreatestCommonDivisor(a, n) == 1)
            {
                return a;
            }
        }
    }
}
