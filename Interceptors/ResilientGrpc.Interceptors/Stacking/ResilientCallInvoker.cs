using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Deadline;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>The call invoker <c>WithResilience</c> returns: every call goes through the <see cref="ResilienceStack"/> to the wrapped invoker.</summary>
internal sealed class ResilientCallInvoker(CallInvoker inner, ResilienceStack stack) : CallInvoker
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        BlockingInvocation<TRequest, TResponse>.Wait(
            stack.Run<TRequest, TResponse, AsyncUnaryCall<TResponse>, StackedBlocking<TRequest, TResponse>, BlockingInvocation<TRequest, TResponse>>(
                StackLayer.Hedging, new(method, host, options), new(request, null, inner)));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        stack.Run<TRequest, TResponse, AsyncUnaryCall<TResponse>, StackedUnary<TRequest, TResponse>, UnaryInvocation<TRequest, TResponse>>(
            StackLayer.Hedging, new(method, host, options), new(request, null, inner));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        stack.Run<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, StackedServerStreaming<TRequest, TResponse>, ServerStreamingInvocation<TRequest, TResponse>>(
            StackLayer.Hedging, new(method, host, options), new(request, null, inner));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        stack.Run<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>,
            StackedRequestStreaming<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, WatchedClientStreamingCall<TRequest, TResponse>>, ClientStreamingInvocation<TRequest, TResponse>>(
            StackLayer.Hedging, new(method, host, options), new(null, inner));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        stack.Run<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>,
            StackedRequestStreaming<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, WatchedDuplexStreamingCall<TRequest, TResponse>>, DuplexStreamingInvocation<TRequest, TResponse>>(
            StackLayer.Hedging, new(method, host, options), new(null, inner));
}

/// <summary>A <see cref="ResilienceStack"/> hosted as one interceptor (the client factory's <c>AddResilience</c>), down to the continuation.</summary>
internal sealed class ResilienceInterceptor(ResilienceStack stack) : Interceptor
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        BlockingInvocation<TRequest, TResponse>.Wait(
            stack.Run<TRequest, TResponse, AsyncUnaryCall<TResponse>, StackedBlocking<TRequest, TResponse>, BlockingInvocation<TRequest, TResponse>>(
                StackLayer.Hedging, context, new(request, continuation)));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        stack.Run<TRequest, TResponse, AsyncUnaryCall<TResponse>, StackedUnary<TRequest, TResponse>, UnaryInvocation<TRequest, TResponse>>(
            StackLayer.Hedging, context, new(request, continuation));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        stack.Run<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, StackedServerStreaming<TRequest, TResponse>, ServerStreamingInvocation<TRequest, TResponse>>(
            StackLayer.Hedging, context, new(request, continuation));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        stack.Run<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>,
            StackedRequestStreaming<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, WatchedClientStreamingCall<TRequest, TResponse>>, ClientStreamingInvocation<TRequest, TResponse>>(
            StackLayer.Hedging, context, new(continuation));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        stack.Run<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>,
            StackedRequestStreaming<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, WatchedDuplexStreamingCall<TRequest, TResponse>>, DuplexStreamingInvocation<TRequest, TResponse>>(
            StackLayer.Hedging, context, new(continuation));
}
