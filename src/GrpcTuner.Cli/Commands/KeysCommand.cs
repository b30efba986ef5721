using GrpcTuner.Agent.Commands;
using System.CommandLine;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Commands;

/// <summary><c>grpctuner keys create|list|revoke</c>: API key management with an admin key.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "Create, list and revoke API keys (needs an admin key)");
        keys.Subcommands.Add(CreateCommand());
        keys.Subcommands.Add(ListCommand());
        keys.Subcommands.Add(RevokeCommand());
        return keys;
    }

    private static Command CreateCommand()
    {
        var namespaces = new Option<string[]>("--namespace", "-n") { Description = "Namespace the key reaches; repeat for several, '*' for all", Required = true, AllowMultipleArgumentsPerToken = true };
        var role = new Option<string>("--role") { Description = "read, write or admin", Required = true };
        role.AcceptOnlyFromAmong("read", "write", "admin");
        var description = new Option<string>("--description") { Description = "Who or what the key is for", DefaultValueFactory = _ => "" };
        var command = new Command("create", "Create a key and print its secret (shown once)") { namespaces, role, description }.WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var request = new CreateApiKeyRequest
            {
                Role = parse.GetValue(role) switch { "read" => Role.Read, "write" => Role.Write, _ => Role.Admin },
                Description = parse.GetValue(description)!,
            };
            request.Namespaces.AddRange(parse.GetValue(namespaces)!);
            var created = await client.Admin.CreateApiKeyAsync(request, cancellationToken: ct);
            Console.Error.WriteLine($"key {created.Key.Id}: {Describe(created.Key)}; the secret below is shown once");
            Console.WriteLine(created.Secret);
        }));
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List keys within your namespaces").WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            foreach (var key in (await client.Admin.ListApiKeysAsync(new ListApiKeysRequest(), cancellationToken: ct)).Keys)
            {
                Console.WriteLine($"{key.Id}\t{Describe(key)}\t{key.Description}");
            }
        }));
        return command;
    }

    private static Command RevokeCommand()
    {
        var id = new Argument<string>("id") { Description = "The key's id" };
        var command = new Command("revoke", "Revoke a key: every replica refuses it within seconds") { id }.WithConnection();
        command.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var key = await client.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { Id = parse.GetValue(id)! }, cancellationToken: ct);
            Console.WriteLine($"key {key.Id} revoked at {key.RevokeTime.ToDateTimeOffset():u}");
        }));
        return command;
    }

    private static string Describe(ApiKey key) =>
        $"{key.Role.ToString().ToLowerInvariant()} on {string.Join(",", key.Namespaces)}{(key.RevokeTime is null ? "" : " (revoked)")}";
}
