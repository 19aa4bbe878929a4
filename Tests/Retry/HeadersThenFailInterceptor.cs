using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Tests.Retry;

/// <summary>A unary server that sends response headers and then fails with Unavailable.</summary>
internal sealed class HeadersThenFailInterceptor : Interceptor
{
    private int calls;

    public int Calls => Volatile.Read(ref calls);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        Interlocked.Increment(ref calls);
        var error = new RpcException(new Status(StatusCode.Unavailable, "failed after headers"));
        return new AsyncUnaryCall<TResponse>(
            Task.FromException<TResponse>(error),
            Task.FromResult(new Metadata { { "served-by", "a" } }),
            () => error.Status,
            () => error.Trailers,
            static () => { });
    }
}
