using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors;

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
internal sealed class RetryingServerStreamingCall<TRequest, TResponse>
    : RetryingCall<TRequest, TResponse>, IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
{
    private readonly Interceptor.AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation;
    private AsyncServerStreamingCall<TResponse>? current;
    private readonly Lock commitLock = new();
    private AsyncServerStreamingCall<TResponse>? committed;
    private AsyncServerStreamingCall<TResponse>? failed;
    private TaskCompletionSource nextAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<bool>? firstMove;
    private bool firstConsumed;

    public RetryingServerStreamingCall(
        RetryInterceptor owner,
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        Interceptor.AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
        : base(owner, request, context) => this.continuation = continuation;

    /// <inheritdoc />
    public TResponse Current => Volatile.Read(ref committed) is { } call ? call.ResponseStream.Current : default!;

    /// <summary>Starts the first attempt and returns the call the caller holds.</summary>
    public AsyncServerStreamingCall<TResponse> Start()
    {
        var first = continuation(Request, NextAttemptContext());
        current = first;
        firstMove = RunUntilCommittedAsync(first);
        return new AsyncServerStreamingCall<TResponse>(
            this,
            static state => TaskFaults.Observed(((RetryingServerStreamingCall<TRequest, TResponse>)state).HeadersAsync()),
            static state => ((RetryingServerStreamingCall<TRequest, TResponse>)state).GetStatus(),
            static state => ((RetryingServerStreamingCall<TRequest, TResponse>)state).GetTrailers(),
            static state => ((RetryingServerStreamingCall<TRequest, TResponse>)state).Dispose(),
            this);
    }

    /// <inheritdoc />
    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (firstConsumed)
        {
            return Volatile.Read(ref committed) is { } call ? call.ResponseStream.MoveNext(cancellationToken) : firstMove!;
        }

        firstConsumed = true;
        return firstMove!.IsCompleted || !cancellationToken.CanBeCanceled ? firstMove : FirstMoveNextAsync(cancellationToken);
    }

    private async Task<bool> FirstMoveNextAsync(CancellationToken cancellationToken)
    {
        // As with a real call, cancelling a read cancels the call.
        await using var registration = cancellationToken.Register(
            static state => ((RetryingServerStreamingCall<TRequest, TResponse>)state!).Dispose(), this);
        return await firstMove!;
    }

    private async Task<bool> RunUntilCommittedAsync(AsyncServerStreamingCall<TResponse> attempt)
    {
        try
        {
            while (true)
            {
                Exception error;
                try
                {
                    var hasMessage = await attempt.ResponseStream.MoveNext(CancellationToken.None);
                    Commit(attempt);
                    Succeeded();
                    return hasMessage;
                }
                catch (Exception ex)
                {
                    if (!TryFail(attempt))
                    {
                        // The caller has read this attempt's headers: it is committed, its error is final.
                        throw;
                    }

                    error = ex;
                }

                var decision = Decide(error);
                if (!decision.ShouldRetry)
                {
                    throw Stop(decision.StopReason, error);
                }

                attempt.Dispose();
                await WaitBeforeRetryAsync(decision, error);
                attempt = continuation(Request, NextAttemptContext());
                Interlocked.Exchange(ref current, attempt);
                Interlocked.Exchange(ref nextAttempt, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                if (IsDisposed)
                {
                    attempt.Dispose();
                }
            }
        }
        finally
        {
            Completed();
        }
    }

    private void Commit(AsyncServerStreamingCall<TResponse> attempt)
    {
        lock (commitLock)
        {
            committed = attempt;
        }

        Committed();
    }

    /// <summary>Marks <paramref name="attempt"/> failed unless the caller committed it by reading its headers.</summary>
    private bool TryFail(AsyncServerStreamingCall<TResponse> attempt)
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

    private async Task<Metadata> HeadersAsync()
    {
        while (true)
        {
            var next = Volatile.Read(ref nextAttempt).Task;
            var attempt = Volatile.Read(ref current)!;
            if (Volatile.Read(ref committed) is { } call)
            {
                return await call.ResponseHeadersAsync;
            }

            var headers = attempt.ResponseHeadersAsync;
            await ((Task)headers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (headers.IsCompletedSuccessfully && !HasEnded(attempt) && TryCommitByHeaders(attempt))
            {
                return headers.Result;
            }

            // This attempt ended (trailers-only headers of a failure, or a failed headers task): the next attempt or
            // the final outcome decides.
            await Task.WhenAny(next, firstMove!);
            if (firstMove!.IsCompleted && Volatile.Read(ref committed) is null)
            {
                // FinalError is unset only when starting an attempt threw: surface that error, not a null reference.
                throw FinalError ?? firstMove.Exception!.InnerException!;
            }
        }
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

    private Status GetStatus() => Volatile.Read(ref committed) is { } call ? call.GetStatus() : StatusOf(Outcome());

    private Metadata GetTrailers() => Volatile.Read(ref committed) is { } call ? call.GetTrailers() : TrailersOf(Outcome());

    private Exception Outcome() => FinalError
        ?? throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");

    private void Dispose()
    {
        MarkDisposed();
        Volatile.Read(ref current)?.Dispose();

        // The caller may never read the first message it disposed of: the read-ahead's failure must not go unobserved.
        TaskFaults.Observe(firstMove!);
    }
}
