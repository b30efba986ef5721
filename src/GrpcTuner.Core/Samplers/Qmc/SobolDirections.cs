namespace GrpcTuner.Core.Samplers.Qmc;

/// <summary>
/// Joe and Kuo's direction numbers (new-joe-kuo-6.21201), dimensions 2 to 31; dimension 1 is the
/// van der Corput sequence. Each row: degree s, polynomial coefficients a, initial m_1..m_s.
/// </summary>
internal static class SobolDirections
{
    public const int Bits = 32;

    private static readonly (int S, int A, int[] M)[] Table =
    [
        (1, 0, [1]),
        (2, 1, [1, 3]),
        (3, 1, [1, 3, 1]),
        (3, 2, [1, 1, 1]),
        (4, 1, [1, 1, 3, 3]),
        (4, 4, [1, 3, 5, 13]),
        (5, 2, [1, 1, 5, 5, 17]),
        (5, 4, [1, 1, 5, 5, 5]),
        (5, 7, [1, 1, 7, 11, 19]),
        (5, 11, [1, 1, 5, 1, 1]),
        (5, 13, [1, 1, 1, 3, 11]),
        (5, 14, [1, 3, 5, 5, 31]),
        (6, 1, [1, 3, 3, 9, 7, 49]),
        (6, 13, [1, 1, 1, 15, 21, 21]),
        (6, 16, [1, 3, 1, 13, 27, 49]),
        (6, 19, [1, 1, 1, 15, 7, 5]),
        (6, 22, [1, 3, 1, 15, 13, 25]),
        (6, 25, [1, 1, 5, 5, 19, 61]),
        (7, 1, [1, 3, 7, 11, 23, 15, 103]),
        (7, 4, [1, 3, 7, 13, 13, 15, 69]),
        (7, 7, [1, 1, 3, 13, 7, 35, 63]),
        (7, 8, [1, 3, 5, 9, 1, 25, 53]),
        (7, 14, [1, 3, 1, 13, 9, 35, 107]),
        (7, 19, [1, 3, 1, 5, 27, 61, 31]),
        (7, 21, [1, 1, 5, 11, 19, 41, 61]),
        (7, 28, [1, 3, 5, 3, 3, 13, 69]),
        (7, 31, [1, 1, 7, 13, 1, 19, 1]),
        (7, 32, [1, 3, 7, 5, 13, 19, 59]),
        (7, 37, [1, 1, 3, 9, 25, 29, 41]),
        (7, 41, [1, 3, 5, 13, 23, 1, 55]),
    ];

    public static int MaxDimensions => Table.Length + 1;

    /// <summary>Direction numbers V[j] (j = 0..31) of dimension <paramref name="d"/> (0-based), as 32-bit fractions.</summary>
    public static uint[] For(int d)
    {
        var v = new uint[Bits];
        if (d == 0)
        {
            for (var j = 0; j < Bits; j++)
            {
                v[j] = 1u << (Bits - 1 - j);
            }

            return v;
        }

        var (s, a, m) = Table[d - 1];
        for (var j = 0; j < Math.Min(s, Bits); j++)
        {
            v[j] = (uint)m[j] << (Bits - 1 - j);
        }

        for (var j = s; j < Bits; j++)
        {
            v[j] = v[j - s] ^ (v[j - s] >> s);
            for (var k = 1; k < s; k++)
            {
                if (((a >> (s - 1 - k)) & 1) != 0)
                {
                    v[j] ^= v[j - k];
                }
            }
        }

        return v;
    }
}
