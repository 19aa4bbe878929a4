using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Deadline;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>A client-streaming call: never hedged nor retried (its request stream cannot be replayed), with its stream limits.</summary>
internal readonly struct StackedClientStreaming<TRequest, TResponse> : IStackedKind<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncClientStreamingCall<TRequest, TResponse> Hedge<TNext>(HedgingInterceptor hedging, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>> =>
        hedging.Unhedged<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, TNext>(context, next);

    public AsyncClientStreamingCall<TRequest, TResponse> Retry<TNext>(RetryInterceptor retry, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>> =>
        retry.Unretried<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, TNext>(context, next);

    public AsyncClientStreamingCall<TRequest, TResponse> Concurrency<TNext>(ConcurrencyLimitInterceptor limit, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>> =>
        next.Start(context);

    public AsyncClientStreamingCall<TRequest, TResponse> Limit<TNext>(DeadlineInterceptor deadline, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>> =>
        deadline.Stream<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, TNext, WatchedClientStreamingCall<TRequest, TResponse>>(context, next);
}
