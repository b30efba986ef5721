using GrpcTuner.Agent;
using GrpcTuner.Agent.Commands;
using GrpcTuner.Agent.Training;

Jemalloc.Enter(args);

return await CommandLine.InvokeAsync(AgentApp.Build(), args);
