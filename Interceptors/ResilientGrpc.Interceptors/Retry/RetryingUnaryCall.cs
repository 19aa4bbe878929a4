using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

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
internal sealed class RetryingUnaryCall<TRequest, TResponse, TInvocation>
    : RetryingAsyncCall<TRequest, TResponse, AsyncUnaryCall<TResponse>, TResponse, TInvocation>
    where TRequest : class
    where TResponse : class
    where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
{
    private RetryingUnaryCall(RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        : base(engine, context, invocation)
    {
    }

    /// <summary>
    /// Starts the call: its first attempt, and the loop over the next ones unless that attempt has already succeeded
    /// (then it is the call, and retrying costs nothing).
    /// </summary>
    public static AsyncUnaryCall<TResponse> Start(RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
    {
        var first = invocation.Start(context);
        if (first.ResponseAsync.IsCompletedSuccessfully)
        {
            ResilienceCallContext.Of(context.Options, context.Method)?.AttemptEnded(error: null);
            engine.AttemptSucceeded();
            return first;
        }

        var retrying = new RetryingUnaryCall<TRequest, TResponse, TInvocation>(engine, context, invocation);
        retrying.StartAttempts(first);
        return new AsyncUnaryCall<TResponse>(retrying.Run, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, retrying);
    }

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
            AttemptEnded(refused);
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

        return await CurrentAttempt.ResponseHeadersAsync.ConfigureAwait(false);
    }

    protected override Status GetStatus() => Outcome() is { } error ? RetryEngine.StatusOf(error) : CurrentAttempt.GetStatus();

    protected override Metadata GetTrailers() => Outcome() is { } error ? RetryEngine.TrailersOf(error) : CurrentAttempt.GetTrailers();

    private Exception? Outcome() => Run.IsCompleted
        ? FinalError
        : throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");
}
