using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// How an owner starts each attempt of a recorded call: offered to the attempt instruments (the innermost layer claims
/// it), with the call's span current; the call itself is recorded by <paramref name="scope"/>'s owner.
/// </summary>
internal readonly struct AttemptLayer<TRequest, TResponse, TCall, TInner>(CallScope scope, TInner inner) : IInvocation<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
    where TInner : struct, IInvocation<TRequest, TResponse, TCall>
{
    public static TCall Observe<TObserver>(TCall call, TObserver observer)
        where TObserver : struct, ICallObserver => TInner.Observe(call, observer);

    public static TCall Fail(Grpc.Core.RpcException error) => TInner.Fail(error);

    public TCall Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        var attempt = scope.NextAttempt();

        // A retry started from a stream read, or a hedge from a timer: the attempt is still a child of the call's span.
        using var current = CurrentSpan.Of(scope.Context?.Span);
        return attempt.Track<TCall, TInner>(inner.Start(context));
    }
}
