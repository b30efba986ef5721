using System.Globalization;
using System.Text.RegularExpressions;
using GrpcTuner.Server;
using GrpcTuner.Testing;

namespace GrpcTuner.Cli.Tests;

/// <summary>README.md's .NET SDK snippet, exactly as written, run as a .NET file-based program against a real server: it prints the best params plainly.</summary>
public sealed partial class ReadmeSdkSnippetTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdk-snippet").FullName;
    private ServerReplica _server = null!;

    public async Task InitializeAsync() => _server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheSnippetRunsAsWrittenAndPrintsPlainParams()
    {
        var root = SharedData.RepositoryRoot;
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var code = Snippet().Match(readme).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(code), "README.md has no ```csharp block under 'A first ask/tell loop (.NET SDK)'");
        var program = Path.Combine(_dir, "readme.cs");
        await File.WriteAllTextAsync(program, $"#:project {Path.Combine(root, "src/GrpcTuner.Client/GrpcTuner.Client.csproj")}\n{code}");
        var (exit, stdout, stderr) = await ChildProcess.RunAsync("dotnet", ["run", program], _dir,
            new Dictionary<string, string> { ["GRPCTUNER_SERVER"] = _server.Address }, TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        var lines = stdout.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            var m = Params().Match(line);
            Assert.True(m.Success, $"not plain params: {line}");
            Assert.InRange(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), -5, 10);
            Assert.InRange(double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), 0, 15);
        }
    }

    [GeneratedRegex(@"## A first ask/tell loop \(.NET SDK\)\s+```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Snippet();

    [GeneratedRegex(@"^x1=(-?[0-9.]+) x2=([0-9.]+)$")]
    private static partial Regex Params();
}
