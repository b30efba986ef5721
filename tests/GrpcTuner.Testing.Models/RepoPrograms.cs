namespace GrpcTuner.Testing.Models;

/// <summary>The repository's own programs, each in its own build output (same configuration as the caller), where its dependencies are its own.</summary>
public static class RepoPrograms
{
    public static string Agent => Path("GrpcTuner.Agent", "grpctuner-agent");

    public static string Cli => Path("GrpcTuner.Cli", "grpctuner");

    private static string Path(string project, string name)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var (framework, configuration) = (output.Name, output.Parent!.Name);
        var root = output;
        while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "GrpcTuner.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var path = System.IO.Path.Combine(root.FullName, "src", project, "bin", configuration, framework, name);
        Assert.True(File.Exists(path), $"{path} is missing; build the solution first");
        return path;
    }
}
