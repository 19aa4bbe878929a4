using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>A server-streaming call that hedges until it commits (<see cref="CommittedStream"/>); the others are then cancelled.</summary>
internal sealed class HedgingServerStreamingCall<TRequest, TResponse>
    : HedgingCall<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, bool>, IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
{
    private bool firstConsumed;

    private HedgingServerStreamingCall(HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context)
        : base(engine, context)
    {
    }

    public TResponse Current => CommittedStream.Current(Attempt);

    public static AsyncServerStreamingCall<TResponse> Start<TInvocation>(
        HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    {
        var call = new HedgingServerStreamingCall<TRequest, TResponse>(engine, context);
        call.RunAttempts(call.StartFirst(found, invocation), invocation);
        return new AsyncServerStreamingCall<TResponse>(call, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, call);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) =>
        CommittedStream.MoveNext(ref firstConsumed, Attempt, Run, cancellationToken, DisposeOfCall, this);

    /// <summary>The read-ahead of the first message: it commits the attempt that delivers it.</summary>
    protected override Task<bool> OutcomeOf(AsyncServerStreamingCall<TResponse> attempt) => attempt.ResponseStream.MoveNext(CancellationToken.None);

    protected override Task<Metadata> HeadersOf(AsyncServerStreamingCall<TResponse> attempt) => attempt.ResponseHeadersAsync;

    protected override bool HasEnded(AsyncServerStreamingCall<TResponse> attempt) => CommittedStream.HasEnded(attempt);

    /// <summary>Commits to the first attempt whose headers arrive while it runs (unless one already committed); returns its headers.</summary>
    protected override async Task<Metadata> HeadersAsync()
    {
        await Task.WhenAny(CommitOnHeaders(), Run).ConfigureAwait(false);
        if (Attempt is { } call)
        {
            return await call.ResponseHeadersAsync.ConfigureAwait(false);
        }

        await ((Task)Run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        throw FinalError ?? Run.Exception!.InnerException!;
    }

    protected override Status StatusOf(AsyncServerStreamingCall<TResponse> attempt) => attempt.GetStatus();

    protected override Metadata TrailersOf(AsyncServerStreamingCall<TResponse> attempt) => attempt.GetTrailers();
}

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

        if (pending.IsFaulted && pending.Exception?.InnerException is INonRetryableError and Exception refused)
        {
            call.RefusedAtOnce(refused);
            return first;
        }

        call.RunAttempts(first, invocation);
        return new AsyncUnaryCall<TResponse>(call.Run, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, call);
    }

    protected override bool ReportsFirstEnd => true;

    protected override Task<TResponse> OutcomeOf(AsyncUnaryCall<TResponse> attempt) => attempt.ResponseAsync;

    protected override Task<Metadata> HeadersAsync() => HeadersOnceSettledAsync(static attempt => attempt.ResponseHeadersAsync);

    protected override Status StatusOf(AsyncUnaryCall<TResponse> attempt) => attempt.GetStatus();

    protected override Metadata TrailersOf(AsyncUnaryCall<TResponse> attempt) => attempt.GetTrailers();
}
