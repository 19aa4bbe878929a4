using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Deadline;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>
/// A call with a request stream, client-streaming or duplex (<typeparamref name="TCall"/>, watched as
/// <typeparamref name="TWatched"/>): never hedged nor retried (its request stream cannot be replayed), with its stream limits.
/// </summary>
internal readonly struct StackedRequestStreaming<TRequest, TResponse, TCall, TWatched> : IStackedKind<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
    where TWatched : IWatchedKind<TCall>
{
    public TCall Hedge<TNext>(HedgingInterceptor hedging, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall> =>
        hedging.Calls.Passed<TRequest, TResponse, TCall, TNext>(context, next);

    public TCall Retry<TNext>(RetryInterceptor retry, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall> =>
        retry.Calls.Passed<TRequest, TResponse, TCall, TNext>(context, next);

    public TCall Concurrency<TNext>(ConcurrencyLimitInterceptor limit, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall> =>
        next.Start(context);

    public TCall Limit<TNext>(DeadlineInterceptor deadline, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall> =>
        deadline.Stream<TRequest, TResponse, TCall, TNext, TWatched>(context, next);
}
