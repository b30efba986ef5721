using System.Globalization;
using System.IO.Compression;

namespace GrpcTuner.Benchmarks.Quality;

/// <summary>
/// One HPOBench MLP table (../shared/datasets/hpobench): balanced accuracy of every configuration
/// of a 10 x 10 x 3 x 10 x 10 grid, averaged over its five seeds (the noise-free target).
/// Configurations are addressed by the index of each value on its axis.
/// </summary>
internal sealed class HpoBenchTable
{
    public static readonly string[] Axes = ["alpha", "batch_size", "depth", "learning_rate_init", "width"];

    private readonly Dictionary<(int, int, int, int, int), double> _scores = [];

    private HpoBenchTable(string name) => Name = name;

    public string Name { get; }

    public static int AxisLength(int axis) => axis == 2 ? 3 : 10;

    public double Score(int alpha, int batch, int depth, int lr, int width) => _scores[(alpha, batch, depth, lr, width)];

    public double Best => _scores.Values.Max();

    public static HpoBenchTable Load(string path)
    {
        var table = new HpoBenchTable(Path.GetFileName(path).Replace(".csv.gz", "", StringComparison.Ordinal));
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var header = reader.ReadLine()!.Split(',');
        var columns = Axes.Select(a => Array.IndexOf(header, a)).ToArray();
        var seeds = Enumerable.Range(0, 5).Select(s => Array.IndexOf(header, $"seed{s}")).ToArray();
        var rows = new List<(double[] Config, double Score)>();
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split(',');
            var config = columns.Select(c => double.Parse(f[c], CultureInfo.InvariantCulture)).ToArray();
            rows.Add((config, seeds.Average(s => double.Parse(f[s], CultureInfo.InvariantCulture))));
        }

        // Each axis' distinct values in ascending order give the index of a value.
        var axisValues = Enumerable.Range(0, Axes.Length).Select(a => rows.Select(r => r.Config[a]).Distinct().Order().ToList()).ToArray();
        foreach (var (config, score) in rows)
        {
            var ix = config.Select((v, a) => axisValues[a].IndexOf(v)).ToArray();
            table._scores[(ix[0], ix[1], ix[2], ix[3], ix[4])] = score;
        }

        return table;
    }
}
