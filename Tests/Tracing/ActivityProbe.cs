using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>
/// Stacked below our interceptors, where grpc-dotnet starts its own activity of each attempt: records the activity
/// current as each attempt leaves, so a test sees what grpc-dotnet would take as the attempt's parent.
/// </summary>
internal sealed class ActivityProbe : Interceptor
{
    private readonly ConcurrentQueue<Activity?> seen = new();

    /// <summary>The current activity at each attempt's start, in order.</summary>
    public IReadOnlyList<Activity?> Seen => [.. seen];

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        seen.Enqueue(Activity.Current);
        return continuation(request, context);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        seen.Enqueue(Activity.Current);
        return continuation(request, context);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        seen.Enqueue(Activity.Current);
        return continuation(request, context);
    }
}
