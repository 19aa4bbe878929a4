using Grpc.Core;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Integration.Propagation;

/// <summary>A service whose handler calls the back service through a client from the gRPC client factory, passing nothing on by hand.</summary>
internal sealed class FrontService(UnstableService.UnstableServiceClient back) : UnstableService.UnstableServiceBase
{
    /// <inheritdoc />
    public override Task<ProcessReply> Process(ProcessRequest request, ServerCallContext context) =>
        back.ProcessAsync(request).ResponseAsync;
}
