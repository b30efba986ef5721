using GrpcTuner.Agent.Commands;
using GrpcTuner.Cli;

return await CommandLine.InvokeAsync(CliApp.Build(), args);
