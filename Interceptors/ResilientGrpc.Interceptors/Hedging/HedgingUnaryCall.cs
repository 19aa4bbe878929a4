using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>
/// An async unary call that hedges: its response task spans every attempt, while headers, status, trailers and
/// disposal refer to the attempt that answered first (or, for a failed call, to its error).
/// </summary>
internal sealed class HedgingUnaryCall<TRequest, TResponse, TInvocation>
    : HedgingCall<TRequest, TResponse, AsyncUnaryCall<TResponse>, TResponse, TInvocation>
    where TRequest : class
    where TResponse : class
    where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
{
    private static readonly Func<object, Task<Metadata>> HeadersOfCall = static state => TaskFaults.Observed(((HedgingUnaryCall<TRequest, TResponse, TInvocation>)state).HeadersAsync());
    private static readonly Func<object, Status> StatusOfCall = static state => ((HedgingUnaryCall<TRequest, TResponse, TInvocation>)state).GetStatus();
    private static readonly Func<object, Metadata> TrailersOfCall = static state => ((HedgingUnaryCall<TRequest, TResponse, TInvocation>)state).GetTrailers();
    private static readonly Action<object> DisposeOfCall = static state => ((HedgingUnaryCall<TRequest, TResponse, TInvocation>)state).Dispose();

    private HedgingUnaryCall(HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation, long start)
        : base(engine, context, invocation, start)
    {
    }

    /// <summary>
    /// Starts the call: its first attempt, and the hedging loop unless that attempt has already settled the call (a
    /// success, or a refusal from below with nothing else in flight): then it is the call, and hedging costs nothing.
    /// </summary>
    public static AsyncUnaryCall<TResponse> Start(HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
    {
        var start = engine.Time.GetTimestamp();
        var first = invocation.Start(context);
        var pending = first.ResponseAsync;
        if (pending.IsCompletedSuccessfully)
        {
            engine.Succeeded();
            return first;
        }

        if (pending.IsFaulted && pending.Exception?.InnerException is INonRetryableError)
        {
            return first;
        }

        var hedging = new HedgingUnaryCall<TRequest, TResponse, TInvocation>(engine, context, invocation, start);
        hedging.StartAttempts(first, pending);
        return new AsyncUnaryCall<TResponse>(hedging.Run, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, hedging);
    }

    protected override Task<TResponse> OutcomeOf(AsyncUnaryCall<TResponse> attempt) => attempt.ResponseAsync;

    private async Task<Metadata> HeadersAsync()
    {
        await ((Task)Run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (FinalError is { } error)
        {
            throw error;
        }

        return await Decided!.ResponseHeadersAsync.ConfigureAwait(false);
    }

    private Status GetStatus() => Outcome() is { } error ? HedgingEngine.StatusOf(error) : Decided!.GetStatus();

    private Metadata GetTrailers() => Outcome() is { } error ? HedgingEngine.TrailersOf(error) : Decided!.GetTrailers();
}
