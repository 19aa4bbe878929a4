using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>An async unary call that hedges: its response spans every attempt; headers, status and trailers are the winner's (or its error's).</summary>
internal sealed class HedgingUnaryCall<TRequest, TResponse>
    : HedgingCall<TRequest, TResponse, AsyncUnaryCall<TResponse>, TResponse>
    where TRequest : class
    where TResponse : class
{
    private HedgingUnaryCall(HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context)
        : base(engine, context)
    {
    }

    /// <summary>
    /// Starts the first attempt, and the loop unless that attempt already settled the call (a success, or a refusal from
    /// below): then it is the call, and hedging costs no more.
    /// </summary>
    public static AsyncUnaryCall<TResponse> Start<TInvocation>(
        HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    {
        var call = new HedgingUnaryCall<TRequest, TResponse>(engine, context);
        var first = call.StartFirst(found, invocation);
        var pending = first.ResponseAsync;
        if (pending.IsCompletedSuccessfully)
        {
            call.AnsweredAtOnce();
            return first;
        }

        if (pending.IsFaulted && pending.Exception?.InnerException is INonRetryableError)
        {
            return first;
        }

        call.RunAttempts(first, invocation);
        return new AsyncUnaryCall<TResponse>(call.Run, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, call);
    }

    protected override Task<TResponse> OutcomeOf(AsyncUnaryCall<TResponse> attempt) => attempt.ResponseAsync;

    protected override Task<Metadata> HeadersAsync() => HeadersOnceSettledAsync(static attempt => attempt.ResponseHeadersAsync);

    protected override Status StatusOf(AsyncUnaryCall<TResponse> attempt) => attempt.GetStatus();

    protected override Metadata TrailersOf(AsyncUnaryCall<TResponse> attempt) => attempt.GetTrailers();
}
