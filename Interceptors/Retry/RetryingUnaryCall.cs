using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>
/// An async unary call that retries: its response task spans every attempt, while headers, status, trailers and
/// disposal always refer to the attempt that decided the outcome. Response headers never commit a unary attempt:
/// its response is a single message, so nothing reaches the caller before the attempt has ended, and grpc-dotnet
/// completes the headers task successfully (empty) even when the server failed the call before sending any header
/// (a "trailers-only" response), so headers cannot tell a started answer from a plain failure. The call's response
/// headers are those of the final attempt, available once the call has settled.
/// </summary>
/// <remarks>
/// Like grpc-dotnet's own calls, it leaves no unobserved fault behind: its response task is marked observed when the
/// caller disposes the call, and a headers task it makes is observed at once (an interceptor above may ask for it
/// and never await it). A caller who awaits either still gets the error.
/// </remarks>
internal sealed class RetryingUnaryCall<TRequest, TResponse>
    : RetryingAsyncCall<TRequest, TResponse, AsyncUnaryCall<TResponse>, TResponse>
    where TRequest : class
    where TResponse : class
{
    private readonly Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation;

    public RetryingUnaryCall(
        RetryEngine engine,
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        : base(engine, request, context) => this.continuation = continuation;

    /// <summary>Starts the first attempt and returns the call the caller holds.</summary>
    public AsyncUnaryCall<TResponse> Start()
    {
        StartAttempts();
        return new AsyncUnaryCall<TResponse>(Run, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, this);
    }

    protected override AsyncUnaryCall<TResponse> StartAttempt(ClientInterceptorContext<TRequest, TResponse> context) =>
        continuation(Request, context);

    protected override Task<TResponse> OutcomeAsync(AsyncUnaryCall<TResponse> attempt) => attempt.ResponseAsync;

    /// <summary>
    /// Runs the attempts. A first attempt that an interceptor below refused at once (an open circuit) is settled
    /// here without throwing: a rejection then costs no exception until the caller awaits it, and the refused call's
    /// own response task, already observed, is passed on when its error is the one the caller sees.
    /// </summary>
    protected override Task<TResponse> RunAsync(AsyncUnaryCall<TResponse> first)
    {
        var pending = first.ResponseAsync;
        if (pending.IsFaulted && pending.Exception?.InnerException is INonRetryableError and Exception refused)
        {
            var decision = Decide(refused);
            Debug.Assert(!decision.ShouldRetry, "a non-retryable error is never retried");
            var error = Stop(decision.StopReason, refused);
            Completed();
            return ReferenceEquals(error, refused) ? pending : Task.FromException<TResponse>(error);
        }

        return RunAttemptsAsync(first);
    }

    protected override async Task<Metadata> HeadersAsync()
    {
        await ((Task)Run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (FinalError is { } error)
        {
            throw error;
        }

        return await CurrentAttempt.ResponseHeadersAsync;
    }

    protected override Status GetStatus() => Outcome() is { } error ? RetryEngine.StatusOf(error) : CurrentAttempt.GetStatus();

    protected override Metadata GetTrailers() => Outcome() is { } error ? RetryEngine.TrailersOf(error) : CurrentAttempt.GetTrailers();

    private Exception? Outcome() => Run.IsCompleted
        ? FinalError
        : throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");
}
