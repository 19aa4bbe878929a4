using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// A server-streaming call that retries until it commits: when an attempt delivers its first message, ends its
/// stream, or has delivered response headers. After that, errors pass to the caller unchanged; a stream the caller
/// has started reading is never replayed. The first message is read ahead as soon as the attempt starts.
/// </summary>
internal sealed class RetryingServerStreamingCall<TRequest, TResponse>
    : RetryingCall<TRequest, TResponse>, IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
{
    private readonly Interceptor.AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation;
    private AsyncServerStreamingCall<TResponse>? current;
    private AsyncServerStreamingCall<TResponse>? committed;
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
            static state => ((RetryingServerStreamingCall<TRequest, TResponse>)state).HeadersAsync(),
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
                catch (Exception ex) when (!HeadersArrived(attempt))
                {
                    error = ex;
                }
                catch
                {
                    Commit(attempt);
                    throw;
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

    private static bool HeadersArrived(AsyncServerStreamingCall<TResponse> attempt) =>
        attempt.ResponseHeadersAsync.IsCompletedSuccessfully;

    private void Commit(AsyncServerStreamingCall<TResponse> attempt) => Volatile.Write(ref committed, attempt);

    private async Task<Metadata> HeadersAsync()
    {
        var attempt = Volatile.Read(ref current)!;
        var headers = attempt.ResponseHeadersAsync;
        await ((Task)headers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (headers.IsCompletedSuccessfully)
        {
            // Headers commit an attempt: this one is (or is about to be) the committed one.
            return headers.Result;
        }

        await ((Task)firstMove!).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Volatile.Read(ref committed) is { } call)
        {
            return await call.ResponseHeadersAsync;
        }

        throw FinalError!;
    }

    private Status GetStatus() => Volatile.Read(ref committed) is { } call ? call.GetStatus() : StatusOf(Outcome());

    private Metadata GetTrailers() => Volatile.Read(ref committed) is { } call ? call.GetTrailers() : TrailersOf(Outcome());

    private Exception Outcome() => FinalError
        ?? throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");

    private void Dispose()
    {
        MarkDisposed();
        Volatile.Read(ref current)?.Dispose();
    }
}
