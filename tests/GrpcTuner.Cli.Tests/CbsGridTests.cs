namespace GrpcTuner.Cli.Tests;

/// <summary>
/// <c>grpctuner cbs grid</c> end to end, as the built program: grid studies on two Fashion-MNIST label
/// subsets (Debian's dataset-fashion-mnist) run by a real trainer agent, and the table they write feeds
/// <c>cbs loo</c> and <c>cbs recommend</c>.
/// </summary>
[Collection("console")]
public sealed class CbsGridTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cbs-grid").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task GridStudiesOnTwoLabelSubsetsWriteATableThatLooAndRecommendRead()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "space.yaml"), """
            name: cbs-fmnist
            directions: [maximize]
            sampler: {type: tpe, seed: 3}
            params:
              - {name: learning_rate, type: categorical, choices: [0.0003, 0.003]}
              - {name: hidden_size, type: categorical, choices: [16, 64]}
              - {name: num_epochs, type: int, low: 1, high: 1}
            """);
        await File.WriteAllTextAsync(Path.Combine(_dir, "tops.task.yaml"), "task: fashion-mnist\ntrain_samples: 1000\nvalidation_samples: 300\nlabels: [0, 1, 2, 3, 4]\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "shoes.task.yaml"), "task: fashion-mnist\ntrain_samples: 1000\nvalidation_samples: 300\nlabels: [5, 6, 7, 8, 9]\n");
        var table = Path.Combine(_dir, "table");
        var (exit, stdout, stderr) = await ChildProcess.RunAsync(Path.Combine(AppContext.BaseDirectory, "grpctuner"),
            ["cbs", "grid", "--spec", Path.Combine(_dir, "space.yaml"), "--task", Path.Combine(_dir, "tops.task.yaml"), Path.Combine(_dir, "shoes.task.yaml"), "--output", table],
            timeout: TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("data set 'tops': a grid of 4 configurations", stdout);

        foreach (var name in new[] { "tops", "shoes" })
        {
            var lines = await File.ReadAllLinesAsync(Path.Combine(table, $"{name}.csv"));
            Assert.Equal("learning_rate,hidden_size,num_epochs,score", lines[0]);
            // Every grid point once, each scored by a trained model: an accuracy above chance on five classes.
            Assert.Equal(["0.0003,16,1", "0.0003,64,1", "0.003,16,1", "0.003,64,1"], lines.Skip(1).Select(l => l[..l.LastIndexOf(',')]).Order(StringComparer.Ordinal));
            Assert.All(lines.Skip(1), l => Assert.InRange(double.Parse(l[(l.LastIndexOf(',') + 1)..], System.Globalization.CultureInfo.InvariantCulture), 0.2, 1.0));
        }

        Assert.Contains("direction: maximize", await File.ReadAllTextAsync(Path.Combine(table, "manifest.yaml")));
        var (code, loo, looError) = await CliRunner.RunAsync("cbs", "loo", "--tables", table, "--k", "2", "--default", "learning_rate=0.0003,hidden_size=16,num_epochs=1");
        Assert.True(code == 0, looError);
        Assert.Contains("| shoes |", loo);
        Assert.Contains("| tops |", loo);
        Assert.Contains("default configuration: learning_rate=0.0003 hidden_size=16 num_epochs=1", loo);
        (code, var recommended, _) = await CliRunner.RunAsync("cbs", "recommend", "--tables", table, "--k", "2");
        Assert.Equal(0, code);
        Assert.Equal(2, recommended.Trim().Split('\n').Length);
        Assert.StartsWith("CBS_1: ", recommended);
    }

    [Fact]
    public async Task OneDataSetOrAFloatWithoutAStepIsOneErrorLine()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "space.yaml"), "name: s\ndirections: [maximize]\nparams:\n  - {name: learning_rate, type: float, low: 0.001, high: 0.1}\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "a.task.yaml"), "task: fashion-mnist\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "b.task.yaml"), "task: fashion-mnist\n");
        var (code, _, error) = await CliRunner.RunAsync("cbs", "grid", "--spec", Path.Combine(_dir, "space.yaml"), "--task", Path.Combine(_dir, "a.task.yaml"), "--out", Path.Combine(_dir, "t"));
        Assert.Equal(1, code);
        Assert.Contains("--task: Coverage-based Search needs at least two data sets, got 1", error);
        (code, _, error) = await CliRunner.RunAsync("cbs", "grid", "--spec", Path.Combine(_dir, "space.yaml"), "--task", Path.Combine(_dir, "a.task.yaml"), Path.Combine(_dir, "b.task.yaml"), "--out", Path.Combine(_dir, "t"));
        Assert.Equal(1, code);
        Assert.Contains("'learning_rate' is a float without a step", error);
    }
}
