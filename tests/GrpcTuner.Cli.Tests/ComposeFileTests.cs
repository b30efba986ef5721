using System.Text.RegularExpressions;
using GrpcTuner.Server;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace GrpcTuner.Cli.Tests;

/// <summary>
/// docker-compose.yml cannot run here (no Docker daemon), so this checks that everything it names
/// exists and agrees with the repository: Dockerfiles and what they publish, ports, volumes,
/// environment variables, and the commands it runs, parsed by the real command line.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string Root = FindRoot();
    private static readonly Dictionary<string, object> Compose = Load();
    private static readonly Dictionary<string, Dictionary<string, object>> Services =
        Map(Compose["services"]).ToDictionary(s => (string)s.Key, s => Map(s.Value));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GrpcTuner.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no GrpcTuner.sln above the test assembly");
    }

    private static Dictionary<string, object> Load()
    {
        using var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml"));
        // The merge parser resolves "<<: *server", as Docker Compose does.
        return new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(new MergingParser(new Parser(reader)));
    }

    private static Dictionary<string, object> Map(object node) =>
        ((Dictionary<object, object>)node).ToDictionary(kv => (string)kv.Key, kv => kv.Value);

    private static List<string> List(object node) => ((List<object>)node).Select(x => (string)x).ToList();

    private static Dictionary<string, string> Environment(Dictionary<string, object> service) =>
        service.TryGetValue("environment", out var env) ? Map(env).ToDictionary(kv => kv.Key, kv => (string)kv.Value) : [];

    private static IEnumerable<Dictionary<string, object>> ServerServices => Services.Values.Where(s => (string)s["image"] == "grpctuner-server");

    private static IEnumerable<Dictionary<string, object>> AgentImageServices => Services.Values.Where(s => (string)s["image"] == "grpctuner-agent");

    private static string Dockerfile(Dictionary<string, object> service)
    {
        var build = Map(service["build"]);
        var path = Path.Combine(Root, (string)build["context"], (string)build["dockerfile"]);
        Assert.True(File.Exists(path), $"{path} is missing");
        return File.ReadAllText(path);
    }

    [Fact]
    public void EveryDockerfilePublishesAProjectOfThisRepositoryAndRunsItsExecutable()
    {
        foreach (var service in Services.Values.Where(s => s.ContainsKey("build")))
        {
            var dockerfile = Dockerfile(service);
            var project = Regex.Match(dockerfile, @"dotnet publish (\S+)").Groups[1].Value;
            var csproj = Directory.GetFiles(Path.Combine(Root, project), "*.csproj").Single();
            var assembly = Regex.Match(File.ReadAllText(csproj), "<AssemblyName>([^<]+)</AssemblyName>").Groups[1].Value;
            Assert.Contains($"ENTRYPOINT [\"./{assembly}\"]", dockerfile);
        }

        Assert.Contains("-p:TorchBackend=cuda", Dockerfile(AgentImageServices.First()));
        Assert.Contains("Condition=\"'$(TorchBackend)' == 'cuda'\"", File.ReadAllText(Path.Combine(Root, "src/GrpcTuner.Agent/GrpcTuner.Agent.csproj")));
    }

    [Fact]
    public void ServerSettingsArePropertiesOfServerOptionsAndPortsAgree()
    {
        var settings = typeof(ServerOptions).GetProperties().Select(p => p.Name.ToUpperInvariant()).ToHashSet();
        var dockerfile = Dockerfile(ServerServices.First());
        var hostPorts = new HashSet<string>();
        foreach (var server in ServerServices)
        {
            var env = Environment(server);
            foreach (var name in env.Keys)
            {
                Assert.StartsWith("GRPCTUNER_", name);
                Assert.Contains(name["GRPCTUNER_".Length..], settings);
            }

            Assert.StartsWith("${", env["GRPCTUNER_ADMINKEY"]); // from the environment, never a secret in the file
            Assert.Equal("redis", env["GRPCTUNER_REDIS"].Split(':')[0]);
            Assert.Contains("redis", Services.Keys);
            var containerPorts = List(server["ports"]).Select(p => p.Split(':')[1]).ToList();
            Assert.Equal([env["GRPCTUNER_PORT"], env["GRPCTUNER_METRICSPORT"]], containerPorts);
            foreach (var port in containerPorts)
            {
                Assert.Matches($"EXPOSE .*\\b{port}\\b", dockerfile);
            }

            foreach (var hostPort in List(server["ports"]).Select(p => p.Split(':')[0]))
            {
                Assert.True(hostPorts.Add(hostPort), $"host port {hostPort} is published twice");
            }

            var aliases = List(Map(Map(server["networks"])["default"])["aliases"]);
            Assert.Contains("tuner", aliases);
        }

        Assert.Equal(2, ServerServices.Count());
        Assert.Contains("--appendonly", List(Services["redis"]["command"]));
        Assert.Equal("yes", List(Services["redis"]["command"])[List(Services["redis"]["command"]).IndexOf("--appendonly") + 1]);
    }

    [Fact]
    public void AgentCommandsParseAndEverythingTheyNameExists()
    {
        var sources = string.Join("\n", Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)).Select(File.ReadAllText));
        var declared = Map(Compose["volumes"]).Keys.ToHashSet();
        var grpcPort = Environment(ServerServices.First())["GRPCTUNER_PORT"];
        string? specStudy = null;
        foreach (var (name, service) in Services.Where(s => (string?)s.Value.GetValueOrDefault("image") == "grpctuner-agent"))
        {
            var command = List(service["command"]);
            var parsed = CliApp.Build().Parse(command);
            Assert.True(parsed.Errors.Count == 0, $"{name}: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
            Assert.Equal($"dns:///tuner:{grpcPort}", command[command.IndexOf("--server") + 1]);
            foreach (var variable in Environment(service).Keys)
            {
                Assert.Contains($"GetEnvironmentVariable(\"{variable}\")", sources); // a variable some code reads
            }

            var mounts = List(service["volumes"]).Select(v => v.Split(':')).ToDictionary(v => v[1], v => v[0]);
            foreach (var (target, source) in mounts)
            {
                Assert.True(source.StartsWith("./", StringComparison.Ordinal) ? Directory.Exists(Path.Combine(Root, source)) : declared.Contains(source), $"{name}: volume {source} is neither a folder here nor a declared volume");
            }

            // Files named in the command live in a bind mount; they must exist in the repository.
            foreach (var path in command.Where(a => a.StartsWith('/')))
            {
                var mount = mounts.Keys.Single(m => path == m || path.StartsWith(m + "/", StringComparison.Ordinal));
                if (mounts[mount].StartsWith("./", StringComparison.Ordinal))
                {
                    Assert.True(File.Exists(Path.Combine(Root, mounts[mount] + path[mount.Length..])), $"{name}: {path} does not exist in {mounts[mount]}");
                }
            }

            if (command[0] == "study")
            {
                var spec = command[command.IndexOf("--spec") + 1];
                specStudy = Specs.StudySpec.Load(Path.Combine(Root, mounts["/specs"] + spec["/specs".Length..])).Name;
            }
        }

        var agent = Services["agent"];
        Assert.Equal(specStudy, List(agent["command"])[List(agent["command"]).IndexOf("--study") + 1]);
        Assert.Contains("checkpoints", List(agent["volumes"]).Select(v => v.Split(':')[0]));
        var gpu = Map(((List<object>)Map(Map(Map(agent["deploy"])["resources"])["reservations"])["devices"])[0]);
        Assert.Equal("nvidia", gpu["driver"]);
        Assert.Contains("gpu", List(gpu["capabilities"]));
        Assert.Contains("--gpus", List(agent["command"]));
    }
}
