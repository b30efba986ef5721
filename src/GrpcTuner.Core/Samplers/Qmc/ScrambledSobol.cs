using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Qmc;

/// <summary>
/// A Sobol sequence scrambled by a random lower-triangular binary matrix per dimension and a random
/// digital shift (the scrambling scipy.stats.qmc.Sobol uses). Any point is computed from its index.
/// </summary>
internal sealed class ScrambledSobol
{
    private readonly uint[][] _directions;
    private readonly uint[] _shift;

    public ScrambledSobol(int dimensions, ulong seed)
    {
        if (dimensions < 1 || dimensions > SobolDirections.MaxDimensions)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, $"Sobol supports 1 to {SobolDirections.MaxDimensions} dimensions");
        }

        var rng = Rng.For(seed, "sobol");
        _directions = new uint[dimensions][];
        _shift = new uint[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            _directions[d] = Scramble(SobolDirections.For(d), rng);
            _shift[d] = (uint)rng.NextUInt64();
        }
    }

    public int Dimensions => _directions.Length;

    /// <summary>Point <paramref name="index"/> of the sequence (Gray-code order), in [0, 1)^d.</summary>
    public double[] Point(long index)
    {
        var gray = (ulong)index ^ ((ulong)index >> 1);
        var point = new double[_directions.Length];
        for (var d = 0; d < point.Length; d++)
        {
            var x = _shift[d];
            var g = gray;
            for (var j = 0; g != 0 && j < SobolDirections.Bits; j++, g >>= 1)
            {
                if ((g & 1) != 0)
                {
                    x ^= _directions[d][j];
                }
            }

            point[d] = x / 4294967296.0;
        }

        return point;
    }

    private static uint[] Scramble(uint[] v, Rng rng)
    {
        // Row r of the lower-triangular matrix has a unit diagonal and random bits left of it;
        // output bit r (counting from the most significant) is the parity of row r AND the input.
        var rows = new uint[SobolDirections.Bits];
        for (var r = 0; r < rows.Length; r++)
        {
            var diagonal = 1u << (SobolDirections.Bits - 1 - r);
            var above = r == 0 ? 0u : ~((diagonal << 1) - 1);
            rows[r] = diagonal | ((uint)rng.NextUInt64() & above);
        }

        var scrambled = new uint[v.Length];
        for (var j = 0; j < v.Length; j++)
        {
            uint result = 0;
            for (var r = 0; r < rows.Length; r++)
            {
                if ((System.Numerics.BitOperations.PopCount(rows[r] & v[j]) & 1) != 0)
                {
                    result |= 1u << (SobolDirections.Bits - 1 - r);
                }
            }

            scrambled[j] = result;
        }

        return scrambled;
    }
}
