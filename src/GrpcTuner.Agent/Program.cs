using GrpcTuner.Agent;
using GrpcTuner.Agent.Commands;

return await CommandLine.InvokeAsync(AgentApp.Build(), args);
