using System.Diagnostics;
using GrpcTuner.Core.Coverage;

namespace GrpcTuner.Benchmarks.Coverage;

/// <summary>
/// CBS recommend (k = 4) and leave-one-data-set-out (k = 4) on tables of HPOBench's size (8 data
/// sets x 30,000 configurations, accuracy-like) and of the regression probe's (4 x 62,208,
/// heavy-tailed MSE, lower is better), in process: the algorithm's time, without reading files.
/// </summary>
internal static class CoverageSpeed
{
    public static void Run()
    {
        Console.WriteLine("| table | recommend | leave one out |");
        Console.WriteLine("|---|---|---|");
        var rng = new Random(5);
        Measure("8 x 30,000, maximize", Table(30_000, 8, () => 0.5 + (0.5 * rng.NextDouble())), new CoverageOptions());
        Measure("4 x 62,208, minimize (MSE, log-normal)", Table(62_208, 4, () => Math.Exp(3 * Gaussian(rng))), new CoverageOptions(Minimize: true));
    }

    private static void Measure(string name, List<double[]> scores, CoverageOptions options)
    {
        CoverageSearch.Recommend(scores, 4, options); // warm-up: JIT
        var clock = Stopwatch.StartNew();
        CoverageSearch.Recommend(scores, 4, options);
        var recommend = clock.Elapsed;
        clock.Restart();
        LeaveOneOut.Evaluate(scores, 4, 0, options);
        Console.WriteLine($"| {name} | {recommend.TotalSeconds:F2} s | {clock.Elapsed.TotalSeconds:F2} s |");
    }

    private static List<double[]> Table(int configurations, int datasets, Func<double> draw) =>
        Enumerable.Range(0, configurations).Select(_ => Enumerable.Range(0, datasets).Select(_ => draw()).ToArray()).ToList();

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
