using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// The layer a call made in several attempts puts over each attempt: the attempt is offered to the attempt
/// instruments, while the call as a whole is recorded by <paramref name="scope"/>'s owner.
/// </summary>
internal readonly struct AttemptLayer<TRequest, TResponse, TCall>(CallScope scope) : ILayer<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    public TCall Start<TInner>(ClientInterceptorContext<TRequest, TResponse> context, TInner inner)
        where TInner : struct, IInvocation<TRequest, TResponse, TCall>
    {
        var attempt = scope.NextAttempt();

        // A retry started from a stream read, or a hedge from a timer: the attempt is still a child of the call's span.
        using var current = CurrentSpan.Of(scope.Context?.Span);
        return attempt.Track<TCall, TInner>(inner.Start(context));
    }
}
