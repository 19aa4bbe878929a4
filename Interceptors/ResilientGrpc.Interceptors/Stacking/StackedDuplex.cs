using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Deadline;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>A duplex call: never hedged nor retried (its request stream cannot be replayed), with its stream limits.</summary>
internal readonly struct StackedDuplex<TRequest, TResponse> : IStackedKind<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncDuplexStreamingCall<TRequest, TResponse> Hedge<TNext>(HedgingInterceptor hedging, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>> =>
        hedging.Unhedged<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, TNext>(context, next);

    public AsyncDuplexStreamingCall<TRequest, TResponse> Retry<TNext>(RetryInterceptor retry, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>> =>
        retry.Unretried<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, TNext>(context, next);

    public AsyncDuplexStreamingCall<TRequest, TResponse> Concurrency<TNext>(ConcurrencyLimitInterceptor limit, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>> =>
        next.Start(context);

    public AsyncDuplexStreamingCall<TRequest, TResponse> Limit<TNext>(DeadlineInterceptor deadline, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>> =>
        deadline.Stream<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, TNext, WatchedDuplexStreamingCall<TRequest, TResponse>>(context, next);
}
