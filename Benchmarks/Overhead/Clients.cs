using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>Generated clients for each contender on one call invoker, and the request they all send.</summary>
internal static class Clients
{
    public static readonly ProcessRequest Request = new() { RequestId = "bench-1", Payload = "hello" };

    public static readonly ProcessReply Reply = new() { RequestId = "bench-1", Result = "processed 5 chars: olleh" };

    public static UnstableService.UnstableServiceClient Bare(CallInvoker invoker) => new(invoker);

    public static UnstableService.UnstableServiceClient Ours(CallInvoker invoker, PolicySettings policy, ILoggerFactory? loggerFactory = null) =>
        new(OursStack.Wrap(invoker, policy, loggerFactory));

    public static UnstableService.UnstableServiceClient Polly(
        CallInvoker invoker, PolicySettings policy, Action? onOpened = null, ILoggerFactory? loggerFactory = null) =>
        new(invoker.Intercept(new PollyInterceptor(PollyPipelines.Create(policy, onOpened: onOpened, loggerFactory: loggerFactory))));

    /// <summary>Waits for a call that completed synchronously (on a fake invoker) without an async state machine.</summary>
    public static ProcessReply Complete(AsyncUnaryCall<ProcessReply> call)
    {
        using (call)
        {
            return call.ResponseAsync.GetAwaiter().GetResult();
        }
    }
}
