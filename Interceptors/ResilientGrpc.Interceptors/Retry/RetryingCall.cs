using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>
/// A call the retry interceptor makes of attempts one after another, and the one retry loop of every retried call kind.
/// Subclasses say how an attempt is awaited, what its success means and whether its failure may still be retried.
/// </summary>
/// <remarks>
/// The owner of the call's attempts (<see cref="CallAttempts"/>): it declares them, and reports each one's end and the
/// call's final failure. A retried call costs this one object until an attempt is pending; the loop's state lives in its task.
/// </remarks>
internal abstract class RetryingCall<TRequest, TResponse, TAttempt, TResult> : OwnedCall<TAttempt, TResult>
    where TRequest : class
    where TResponse : class
    where TAttempt : class, IDisposable
{
    private CancellationTokenSource? backoff;

    protected RetryingCall(in ClientInterceptorContext<TRequest, TResponse> context)
        : base(context.Options, context.Method)
    {
    }

    /// <summary>Declares the attempts before the first leaves, on the context they carry: <paramref name="found"/>, from above, or this object.</summary>
    protected ResilienceCallContext Declare(RetryEngine engine, ref ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found)
    {
        var shared = Adopt(ref context, found, this);
        shared.DeclareAttempts(engine.MaxAttempts, EndsReported ? AttemptsReport.Sequential : AttemptsReport.None);
        return shared;
    }

    /// <summary>Runs the loop from <paramref name="first"/>, the first attempt, still pending; <paramref name="shared"/> is what they carry.</summary>
    protected void RunAttempts<TInvocation>(
        TAttempt first, RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation, ResilienceCallContext shared)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
    {
        Track(first);
        Running(RunAsync(engine, context, invocation, shared));
    }

    /// <summary>Whether an attempt's outcome is its end, which the layers below may then learn from this call (a unary's is; a stream's is not).</summary>
    protected abstract bool EndsReported { get; }

    protected abstract Task<TResult> OutcomeAsync(TAttempt attempt);

    /// <summary>The attempt succeeded; called before the throttle hears of it.</summary>
    protected virtual void OnSucceeded(TAttempt attempt)
    {
    }

    /// <summary>The attempt failed: whether it may still be retried (false when its error is already final).</summary>
    protected virtual bool TryFail(TAttempt attempt) => true;

    protected virtual void OnNextAttempt()
    {
    }

    /// <summary>The retry loop: awaits each attempt, decides after a failure, waits, and starts the next.</summary>
    private async Task<TResult> RunAsync<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation, ResilienceCallContext shared)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
    {
        var attempt = Attempt!;
        var attemptsMade = 1;
        var waited = TimeSpan.Zero;
        var deadline = CallerDeadline.Of(context.Options);
        var callerToken = context.Options.CancellationToken;
        try
        {
            while (true)
            {
                Exception error;
                try
                {
                    var result = await OutcomeAsync(attempt).ConfigureAwait(false);
                    shared.AttemptEnded(error: null, callerToken);
                    OnSucceeded(attempt);
                    engine.AttemptSucceeded();
                    return result;
                }
                catch (Exception ex)
                {
                    shared.AttemptEnded(ex, callerToken);
                    if (!TryFail(attempt))
                    {
                        throw;
                    }

                    error = ex;
                }

                var decision = engine.Decide(error, context.Method, context.Host, attemptsMade, IsCancelled(callerToken), deadline, shared.Span);
                var reason = decision.StopReason;
                if (decision.ShouldRetry)
                {
                    attempt.Dispose();
                    waited += decision.Delay;
                    reason = (decision.Delay > TimeSpan.Zero && !await engine.DelayAsync(decision.Delay, BackoffToken(callerToken)).ConfigureAwait(false)) || IsCancelled(callerToken)
                        ? RetryStopReason.Cancelled
                        : engine.DeadlinePassed(deadline, context.Method, attemptsMade, error) ? RetryStopReason.DeadlineExceeded : RetryStopReason.None;
                }

                if (reason != RetryStopReason.None)
                {
                    throw Ended(engine.Stop(reason, error, context.Method, shared, attemptsMade));
                }

                attempt = Track(invocation.Start(RetryHeaders.ContextOf(context, ++attemptsMade)));
                OnNextAttempt();
            }
        }
        finally
        {
            engine.Settled(context.Method, context.Host, attemptsMade - 1, waited);
            Interlocked.Exchange(ref backoff, null)?.Dispose();
        }
    }

    private bool IsCancelled(CancellationToken callerToken) => IsDisposed || callerToken.IsCancellationRequested;

    /// <summary>The token a backoff wait observes: the caller's, plus this call's disposal; created on first need.</summary>
    private CancellationToken BackoffToken(CancellationToken callerToken)
    {
        if (Volatile.Read(ref backoff) is { } existing)
        {
            return existing.Token;
        }

        var source = callerToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(callerToken) : new CancellationTokenSource();
        Interlocked.Exchange(ref backoff, source);
        if (IsDisposed)
        {
            source.Cancel();
        }

        return source.Token;
    }

    /// <summary>The caller disposed the call: a running backoff wait ends (the current attempt is disposed by the base).</summary>
    protected override void OnDisposed()
    {
        try
        {
            Volatile.Read(ref backoff)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call already completed and released its backoff token.
        }
    }
}

/// <summary>The call kinds retry makes of attempts: async unary and server-streaming calls.</summary>
internal readonly struct Retried<TRequest, TResponse>
    : IOwnedCall<RetryEngine, TRequest, TResponse, AsyncUnaryCall<TResponse>>, IOwnedCall<RetryEngine, TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    AsyncUnaryCall<TResponse> IOwnedCall<RetryEngine, TRequest, TResponse, AsyncUnaryCall<TResponse>>.Start<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation) =>
        RetryingUnaryCall<TRequest, TResponse>.Start(engine, context, found, invocation);

    AsyncServerStreamingCall<TResponse> IOwnedCall<RetryEngine, TRequest, TResponse, AsyncServerStreamingCall<TResponse>>.Start<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation) =>
        RetryingServerStreamingCall<TRequest, TResponse>.Start(engine, context, found, invocation);
}
