using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>
/// A server-streaming call that retries until it commits: when an attempt delivers its first message, ends its
/// stream, or the caller has read its response headers. After that, errors pass to the caller unchanged; a stream the
/// caller has started reading is never replayed. The first message is read ahead as soon as the attempt starts.
/// </summary>
/// <remarks>
/// A completed headers task alone is no commit: when the server fails a call before sending any header (a
/// "trailers-only" response), grpc-dotnet completes the headers task successfully, with empty metadata, once the call
/// has ended. Headers commit an attempt only when the caller asks for them and receives them while the attempt is
/// still running.
/// Like grpc-dotnet's own calls, it leaves no unobserved fault behind: the read-ahead of the first message is marked
/// observed when the caller disposes the call, and a headers task it makes is observed at once. A caller who reads or
/// awaits still gets the error.
/// </remarks>
internal sealed class RetryingServerStreamingCall<TRequest, TResponse, TInvocation>
    : RetryingAsyncCall<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, bool, TInvocation>, IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
    where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
{
    private readonly Lock commitLock = new();
    private AsyncServerStreamingCall<TResponse>? committed;
    private AsyncServerStreamingCall<TResponse>? failed;
    private TaskCompletionSource nextAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool firstConsumed;

    private RetryingServerStreamingCall(RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        : base(engine, context, invocation)
    {
    }

    /// <inheritdoc />
    public TResponse Current => Volatile.Read(ref committed) is { } call ? call.ResponseStream.Current : default!;

    /// <summary>Starts the first attempt and returns the call the caller holds.</summary>
    public static AsyncServerStreamingCall<TResponse> Start(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
    {
        var retrying = new RetryingServerStreamingCall<TRequest, TResponse, TInvocation>(engine, context, invocation);
        retrying.StartAttempts(invocation.Start(context));
        return new AsyncServerStreamingCall<TResponse>(retrying, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, retrying);
    }

    /// <inheritdoc />
    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (firstConsumed)
        {
            return Volatile.Read(ref committed) is { } call ? call.ResponseStream.MoveNext(cancellationToken) : Run;
        }

        firstConsumed = true;
        return Run.IsCompleted || !cancellationToken.CanBeCanceled ? Run : FirstMoveNextAsync(cancellationToken);
    }

    /// <summary>The first message read ahead: it, or the end of the stream, commits the attempt.</summary>
    protected override Task<bool> OutcomeAsync(AsyncServerStreamingCall<TResponse> attempt) =>
        attempt.ResponseStream.MoveNext(CancellationToken.None);

    protected override void OnSucceeded(AsyncServerStreamingCall<TResponse> attempt)
    {
        lock (commitLock)
        {
            committed = attempt;
        }

        Committed();
    }

    /// <summary>
    /// Marks <paramref name="attempt"/> failed unless the caller committed it by reading its headers: then its error
    /// is final.
    /// </summary>
    protected override bool TryFail(AsyncServerStreamingCall<TResponse> attempt)
    {
        lock (commitLock)
        {
            if (ReferenceEquals(committed, attempt))
            {
                return false;
            }

            failed = attempt;
            return true;
        }
    }

    protected override void OnNextAttempt() =>
        Interlocked.Exchange(ref nextAttempt, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    protected override async Task<Metadata> HeadersAsync()
    {
        while (true)
        {
            var next = Volatile.Read(ref nextAttempt).Task;
            var attempt = CurrentAttempt;
            if (Volatile.Read(ref committed) is { } call)
            {
                return await call.ResponseHeadersAsync.ConfigureAwait(false);
            }

            var headers = attempt.ResponseHeadersAsync;
            await ((Task)headers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (headers.IsCompletedSuccessfully && !HasEnded(attempt) && TryCommitByHeaders(attempt))
            {
                return headers.Result;
            }

            // This attempt ended (trailers-only headers of a failure, or a failed headers task): the next attempt or
            // the final outcome decides.
            await Task.WhenAny(next, Run).ConfigureAwait(false);
            if (Run.IsCompleted && Volatile.Read(ref committed) is null)
            {
                // FinalError is unset only when starting an attempt threw: surface that error, not a null reference.
                throw FinalError ?? Run.Exception!.InnerException!;
            }
        }
    }

    protected override Status GetStatus() => Volatile.Read(ref committed) is { } call ? call.GetStatus() : RetryEngine.StatusOf(Outcome());

    protected override Metadata GetTrailers() =>
        Volatile.Read(ref committed) is { } call ? call.GetTrailers() : RetryEngine.TrailersOf(Outcome());

    private async Task<bool> FirstMoveNextAsync(CancellationToken cancellationToken)
    {
        // As with a real call, cancelling a read cancels the call.
        using var registration = cancellationToken.Register(static state => DisposeOfCall(state!), this);
        return await Run.ConfigureAwait(false);
    }

    /// <summary>Commits <paramref name="attempt"/> because the caller read its headers, unless it has already failed.</summary>
    private bool TryCommitByHeaders(AsyncServerStreamingCall<TResponse> attempt)
    {
        lock (commitLock)
        {
            if (ReferenceEquals(failed, attempt) || (committed is not null && !ReferenceEquals(committed, attempt)))
            {
                return false;
            }

            committed = attempt;
        }

        Committed();
        return true;
    }

    /// <summary>Whether the attempt has its final status already (a real call throws until it has one).</summary>
    private static bool HasEnded(AsyncServerStreamingCall<TResponse> attempt)
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

    private Exception Outcome() => FinalError
        ?? throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");
}
