namespace GrpcTuner.Cli.Tests;

/// <summary>The data of ../shared beside the repository, as CI places it.</summary>
internal static class SharedData
{
    public static string HpoBenchTables
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "GrpcTuner.sln")))
            {
                root = root.Parent;
            }

            var tables = Path.Combine(root!.Parent!.FullName, "shared", "datasets", "hpobench");
            Assert.True(Directory.Exists(tables), $"the HPOBench tables are expected at {tables} (../shared beside the repository)");
            return tables;
        }
    }
}
