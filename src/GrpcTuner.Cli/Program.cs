using GrpcTuner.Agent.Commands;
using GrpcTuner.Agent.Training;
using GrpcTuner.Cli;

// "grpctuner agent" is the agent's program too (run and cbs start their agents so): it allocates as grpctuner-agent does.
if (args is ["agent", ..])
{
    Jemalloc.Enter(args);
}

return await CommandLine.InvokeAsync(CliApp.Build(), args);
