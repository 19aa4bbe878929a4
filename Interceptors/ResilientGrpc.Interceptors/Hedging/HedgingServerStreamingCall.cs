using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>
/// A server-streaming call that hedges until it commits (gRFC A6): the first attempt to deliver its first message, to
/// end its stream successfully, or to send response headers the caller asked for, is the stream the caller reads;
/// every other attempt is then cancelled and disposed. The first message of each attempt is read ahead as soon as the
/// attempt starts. After the commit, errors pass to the caller unchanged: a stream the caller has started reading is
/// never replayed.
/// </summary>
/// <remarks>
/// As for a retried stream, a completed headers task alone is no commit: grpc-dotnet completes the headers task of a
/// call the server failed before sending any ("trailers-only"), once the call has ended. Headers commit an attempt
/// only when the caller asks for them and receives them while that attempt is still running; the caller then gets
/// that attempt's headers. Asked for after a commit, the headers are those of the committed attempt.
/// </remarks>
internal sealed class HedgingServerStreamingCall<TRequest, TResponse, TInvocation>
    : HedgingCall<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, bool, TInvocation>, IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
    where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
{
    private static readonly Func<object, Task<Metadata>> HeadersOfCall = static state => TaskFaults.Observed(((HedgingServerStreamingCall<TRequest, TResponse, TInvocation>)state).HeadersAsync());
    private static readonly Func<object, Status> StatusOfCall = static state => ((HedgingServerStreamingCall<TRequest, TResponse, TInvocation>)state).GetStatus();
    private static readonly Func<object, Metadata> TrailersOfCall = static state => ((HedgingServerStreamingCall<TRequest, TResponse, TInvocation>)state).GetTrailers();
    private static readonly Action<object> DisposeOfCall = static state => ((HedgingServerStreamingCall<TRequest, TResponse, TInvocation>)state).Dispose();

    private bool firstConsumed;

    private HedgingServerStreamingCall(HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation, long start)
        : base(engine, context, invocation, start)
    {
    }

    /// <inheritdoc />
    public TResponse Current => Decided is { } call ? call.ResponseStream.Current : default!;

    /// <summary>Starts the first attempt and the hedging loop, and returns the call the caller holds.</summary>
    public static AsyncServerStreamingCall<TResponse> Start(
        HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
    {
        var start = engine.Time.GetTimestamp();
        var hedging = new HedgingServerStreamingCall<TRequest, TResponse, TInvocation>(engine, context, invocation, start);
        var first = invocation.Start(context);
        hedging.StartAttempts(first, hedging.OutcomeOf(first));
        return new AsyncServerStreamingCall<TResponse>(hedging, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, hedging);
    }

    /// <inheritdoc />
    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (firstConsumed)
        {
            return Decided is { } call ? call.ResponseStream.MoveNext(cancellationToken) : Run;
        }

        firstConsumed = true;
        return Run.IsCompleted || !cancellationToken.CanBeCanceled ? Run : FirstMoveNextAsync(cancellationToken);
    }

    /// <summary>The read-ahead of the first message: it commits the attempt that delivers it.</summary>
    protected override Task<bool> OutcomeOf(AsyncServerStreamingCall<TResponse> attempt) => attempt.ResponseStream.MoveNext(CancellationToken.None);

    /// <summary>The attempt's headers: once the caller asks for the call's, they commit the attempt they arrive on.</summary>
    protected override Task<Metadata> HeadersOf(AsyncServerStreamingCall<TResponse> attempt) => attempt.ResponseHeadersAsync;

    /// <summary>Whether the attempt has its final status already (a real call throws until it has one).</summary>
    protected override bool HasEnded(AsyncServerStreamingCall<TResponse> attempt)
    {
        try
        {
            _ = attempt.GetStatus();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Waits for the first message; the caller's token, cancelled meanwhile, cancels the call.</summary>
    private async Task<bool> FirstMoveNextAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(static s => ((HedgingServerStreamingCall<TRequest, TResponse, TInvocation>)s!).Dispose(), this);
        return await Run.ConfigureAwait(false);
    }

    /// <summary>Commits to the first attempt whose headers arrive while it runs (unless one already committed); returns its headers.</summary>
    private async Task<Metadata> HeadersAsync()
    {
        await Task.WhenAny(CommitOnHeaders(), Run).ConfigureAwait(false);
        if (Decided is { } call)
        {
            return await call.ResponseHeadersAsync.ConfigureAwait(false);
        }

        await ((Task)Run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        throw FinalError ?? Run.Exception!.InnerException!;
    }

    private Status GetStatus() => Run.IsCompleted && FinalError is { } error ? HedgingEngine.StatusOf(error) : Committed().GetStatus();

    private Metadata GetTrailers() => Run.IsCompleted && FinalError is { } error ? HedgingEngine.TrailersOf(error) : Committed().GetTrailers();

    private AsyncServerStreamingCall<TResponse> Committed() =>
        Decided ?? throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");
}
