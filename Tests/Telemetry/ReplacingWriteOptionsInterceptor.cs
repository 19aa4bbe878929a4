using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Tests.Telemetry;

/// <summary>
/// Someone else's interceptor that gives every call its own write options (no compression), dropping whatever the
/// write options carried before, as an interceptor stacked between ours may do.
/// </summary>
internal sealed class ReplacingWriteOptionsInterceptor : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return continuation(request, Replaced(context));
    }

    private static ClientInterceptorContext<TRequest, TResponse> Replaced<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class =>
        new(context.Method, context.Host, context.Options.WithWriteOptions(new WriteOptions(WriteFlags.NoCompress)));
}
