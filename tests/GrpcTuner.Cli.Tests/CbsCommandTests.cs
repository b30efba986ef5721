namespace GrpcTuner.Cli.Tests;

/// <summary><c>grpctuner cbs</c> on results tables as users have them, and one clear line for each kind of broken one.</summary>
[Collection("console")]
public sealed class CbsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cbs").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TextOptionValuesAndMissingSeedCellsAreRead()
    {
        // relu covers both data sets; tanh only the first. seed2 is missing on some rows: the mean of those present.
        await Write("a.csv", "activation,lr,seed0,seed1,seed2", "relu,0.1,0.90,0.92,", "tanh,0.1,0.91,0.91,0.91", "relu,0.01,0.50,0.52,0.54");
        await Write("b.csv", "activation,lr,seed0,seed1,seed2", "relu,0.1,0.80,,", "tanh,0.1,0.60,0.62,0.61", "relu,0.01,0.40,0.41,0.42");
        var (code, output, error) = await CliRunner.RunAsync("cbs", "recommend", "--tables", _dir, "--k", "2");
        Assert.True(code == 0, error);
        Assert.Equal(["CBS_1: activation=relu lr=0.1", "CBS_2: activation=tanh lr=0.1"], output.Trim().Split('\n'));

        (code, output, error) = await CliRunner.RunAsync("cbs", "loo", "--tables", _dir, "--k", "1", "--default", "activation=tanh,lr=0.05");
        Assert.True(code == 0, error);
        Assert.Contains("default configuration: activation=tanh lr=0.1", output);
    }

    [Fact]
    public async Task QuotedValuesAreReadAsOneAndAnUnclosedQuoteNamesItsLine()
    {
        // A choice with a comma, as pandas writes it.
        await Write("a.csv", "layers,lr,score", "\"64,64\",0.1,0.9", "\"32\",0.1,0.5");
        await Write("b.csv", "layers,lr,score", "\"64,64\",0.1,0.8", "32,0.1,0.6");
        var (code, output, error) = await CliRunner.RunAsync("cbs", "recommend", "--tables", _dir, "--k", "1");
        Assert.True(code == 0, error);
        Assert.Equal("CBS_1: layers=64,64 lr=0.1", output.Trim());

        await Write("b.csv", "layers,lr,score", "\"64,64,0.1,0.8", "32,0.1,0.6");
        (code, _, error) = await CliRunner.RunAsync("cbs", "recommend", "--tables", _dir, "--k", "1");
        Assert.Equal(1, code);
        Assert.Contains("b.csv:2: a quoted field is not closed", error);
    }

    [Fact]
    public async Task AManifestBesideTheTablesSaysLowerIsBetterAndTheFlagOverridesIt()
    {
        // Validation MSE: relu 0.01 is best on both data sets when lower is better, worst when higher is.
        await Write("a.csv", "activation,lr,score", "relu,0.01,0.10", "tanh,0.1,0.90");
        await Write("b.csv", "activation,lr,score", "relu,0.01,0.20", "tanh,0.1,0.80");
        await Write("manifest.yaml", "direction: minimize  # validation MSE");
        var (code, output, error) = await CliRunner.RunAsync("cbs", "recommend", "--tables", _dir, "--k", "1");
        Assert.True(code == 0, error);
        Assert.Equal("CBS_1: activation=relu lr=0.01", output.Trim());
        (_, output, _) = await CliRunner.RunAsync("cbs", "recommend", "--tables", _dir, "--k", "1", "--direction", "maximize");
        Assert.Equal("CBS_1: activation=tanh lr=0.1", output.Trim());

        await Write("manifest.yaml", "direction: downwards");
        (code, _, error) = await CliRunner.RunAsync("cbs", "recommend", "--tables", _dir);
        Assert.Equal(1, code);
        Assert.Equal($"error: {Path.Combine(_dir, "manifest.yaml")}:1: direction 'downwards' is not maximize or minimize", error.Trim());
    }

    [Theory]
    [InlineData("activation,score\nrelu,high\n", "b.csv:2: column 'score' (column 2) is 'high', not a finite number")]
    [InlineData("activation,seed0,seed1\nrelu,,\n", "b.csv:2: has no score (seed0, seed1 all empty)")]
    [InlineData("activation,score\n", "b.csv: has a header and no rows")]
    [InlineData("activation,score\nrelu,0.5,0.7,0.9\n", "b.csv:2: has 4 fields where the header names 2")]
    public async Task ABrokenTableIsOneLineNamingFileLineAndColumn(string broken, string expected)
    {
        await Write("a.csv", "activation,score", "relu,0.9");
        await File.WriteAllTextAsync(Path.Combine(_dir, "b.csv"), broken);
        var (code, _, error) = await CliRunner.RunAsync("cbs", "recommend", "--tables", _dir);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("--k", "0", "error: --k: must be at least 1, got 0")]
    [InlineData("--tolerance", "-0.1", "error: --tolerance: must be in [0, 1), got -0.1")]
    public async Task OutOfRangeOptionsSaySo(string option, string value, string expected)
    {
        await Write("a.csv", "activation,score", "relu,0.9");
        await Write("b.csv", "activation,score", "relu,0.8");
        var (code, _, error) = await CliRunner.RunAsync("cbs", "recommend", "--tables", _dir, option, value);
        Assert.Equal(1, code);
        Assert.Equal(expected, error.Trim());
    }

    private Task Write(string name, params string[] lines) => File.WriteAllLinesAsync(Path.Combine(_dir, name), lines);
}
