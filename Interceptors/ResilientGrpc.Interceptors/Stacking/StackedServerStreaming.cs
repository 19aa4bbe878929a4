using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Deadline;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>A server-streaming call: hedged or retried until it commits, with its stream limits.</summary>
internal readonly struct StackedServerStreaming<TRequest, TResponse> : IStackedKind<TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncServerStreamingCall<TResponse> Hedge<TNext>(HedgingInterceptor hedging, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        hedging.ServerStreaming(context, next);

    public AsyncServerStreamingCall<TResponse> Retry<TNext>(RetryInterceptor retry, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        retry.ServerStreaming(context, next);

    public AsyncServerStreamingCall<TResponse> Concurrency<TNext>(ConcurrencyLimitInterceptor limit, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        next.Start(context);

    public AsyncServerStreamingCall<TResponse> Limit<TNext>(DeadlineInterceptor deadline, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        deadline.Stream<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, TNext, WatchedServerStreamingCall<TResponse>>(context, next);
}
