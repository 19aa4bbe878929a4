using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// An invocation started once per attempt by an interceptor that makes several: each attempt is offered to the
/// attempt instruments, while the call as a whole is recorded by <paramref name="scope"/>'s owner.
/// </summary>
internal readonly struct TrackedInvocation<TRequest, TResponse, TCall, TInner>(CallScope scope, TInner inner)
    : IInvocation<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
    where TInner : struct, IInvocation<TRequest, TResponse, TCall>
{
    public static TCall Observe<TObserver>(TCall call, TObserver observer)
        where TObserver : struct, ICallObserver => TInner.Observe(call, observer);

    public static TCall Fail(RpcException error) => TInner.Fail(error);

    public TCall Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        var attempt = scope.NextAttempt();
        return attempt.Track<TCall, TInner>(inner.Start(context));
    }
}
