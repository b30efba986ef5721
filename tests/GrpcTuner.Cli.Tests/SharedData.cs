namespace GrpcTuner.Cli.Tests;

/// <summary>The repository this test runs from, and the data of ../shared beside it, as CI places it.</summary>
internal static class SharedData
{
    public static string RepositoryRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "GrpcTuner.sln")))
            {
                root = root.Parent;
            }

            return root?.FullName ?? throw new InvalidOperationException($"no GrpcTuner.sln above {AppContext.BaseDirectory}");
        }
    }

    public static string HpoBenchTables
    {
        get
        {
            var tables = Path.Combine(Directory.GetParent(RepositoryRoot)!.FullName, "shared", "datasets", "hpobench");
            Assert.True(Directory.Exists(tables), $"the HPOBench tables are expected at {tables} (../shared beside the repository)");
            return tables;
        }
    }
}
