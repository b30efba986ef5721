using Google.Protobuf;
using Wire = GrpcTuner.V1;

namespace GrpcTuner.Server.Mapping;

/// <summary>
/// The first way a stored study differs from the one a CreateStudy with load_if_exists asks for, in
/// their wire form (which the mapper makes canonical): the search space parameter by parameter, the
/// directions, the sampler (its seed only when the request gave one), the pruner, max_retries.
/// </summary>
internal static class DefinitionDifference
{
    public static string? First(Wire.Study stored, Wire.Study asked, bool seedGiven)
    {
        var (a, b) = (stored.SearchSpace.Params, asked.SearchSpace.Params);
        for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            var (x, y) = (i < a.Count ? a[i] : null, i < b.Count ? b[i] : null);
            if (!Equals(x, y))
            {
                return $"search_space.params[{i}]: stored {Show(x)}, asked {Show(y)}";
            }
        }

        if (!stored.Directions.SequenceEqual(asked.Directions))
        {
            return $"directions: stored [{string.Join(", ", stored.Directions)}], asked [{string.Join(", ", asked.Directions)}]";
        }

        var askedSampler = asked.Sampler.Clone();
        if (!seedGiven)
        {
            askedSampler.Seed = stored.Sampler.Seed;
        }

        if (!Equals(stored.Sampler, askedSampler))
        {
            return $"sampler: stored {Show(stored.Sampler)}, asked {Show(askedSampler)}";
        }

        if (!Equals(stored.Pruner, asked.Pruner))
        {
            return $"pruner: stored {Show(stored.Pruner)}, asked {Show(asked.Pruner)}";
        }

        return stored.MaxRetries != asked.MaxRetries ? $"max_retries: stored {stored.MaxRetries}, asked {asked.MaxRetries}" : null;
    }

    private static string Show(IMessage? m) => m is null ? "nothing" : JsonFormatter.Default.Format(m);
}
