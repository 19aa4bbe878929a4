using System.Diagnostics;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>
/// The state every retried call kind keeps: the attempts made, the deadline, the backoff token and the final error.
/// Deciding, waiting and the final error are the <see cref="RetryEngine"/>'s; subclasses own the attempts themselves.
/// </summary>
internal abstract class RetryingCall<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    private readonly RetryEngine engine;
    private readonly DateTime deadline;
    private CancellationTokenSource? backoff;
    private Exception? finalError;
    private TimeSpan retryDelay;
    private int disposed;

    protected RetryingCall(RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context)
    {
        this.engine = engine;
        Context = context;
        deadline = RetryEngine.DeadlineOf(context.Options);
    }

    protected ClientInterceptorContext<TRequest, TResponse> Context { get; }

    /// <summary>Attempts started so far.</summary>
    protected int AttemptsMade { get; private set; }

    /// <summary>The error the call ended with, once it ended without success.</summary>
    protected Exception? FinalError => Volatile.Read(ref finalError);

    protected bool IsDisposed => Volatile.Read(ref disposed) == 1;

    private bool IsCancelled => IsDisposed || Context.Options.CancellationToken.IsCancellationRequested;

    /// <summary>The call's span, when a listener samples it.</summary>
    private Activity? Span => ResilienceCallContext.Of(Context.Options, Context.Method)?.Span;

    /// <summary>The first attempt was started with the caller's context.</summary>
    protected void FirstAttemptStarted() => AttemptsMade = 1;

    /// <summary>The context of the next attempt: the caller's for the first, plus the attempt count header after.</summary>
    protected ClientInterceptorContext<TRequest, TResponse> NextAttemptContext()
    {
        AttemptsMade++;
        if (AttemptsMade == 1)
        {
            return Context;
        }

        var headers = RetryHeaders.ForAttempt(Context.Options.Headers, AttemptsMade - 1);
        return new ClientInterceptorContext<TRequest, TResponse>(Context.Method, Context.Host, Context.Options.WithHeaders(headers));
    }

    /// <summary>The current attempt succeeded (or, for a stream, committed).</summary>
    protected void Succeeded() => engine.AttemptSucceeded();

    /// <summary>The current attempt ended with <paramref name="error"/> (null: success): layers below that asked learn of it.</summary>
    protected void AttemptEnded(Exception? error) => ResilienceCallContext.Of(Context.Options, Context.Method)?.AttemptEnded(error);

    /// <summary>
    /// The call committed to its current attempt (a stream the caller started reading): a breaker below now counts
    /// a failure of that attempt as the call's failure, since no retry can follow it.
    /// </summary>
    protected void Committed() => ResilienceCallContext.Of(Context.Options, Context.Method)?.Commit();

    /// <summary>Decides what follows the current attempt's failure with <paramref name="error"/>.</summary>
    protected RetryDecision Decide(Exception error)
    {
        var decision = engine.Decide(error, Context.Method, Context.Host, AttemptsMade, IsCancelled, deadline, Span);
        if (decision.ShouldRetry)
        {
            retryDelay += decision.Delay;
        }

        return decision;
    }

    /// <summary>
    /// Decides what follows the current attempt's failure: throws the error the caller sees when retrying stops;
    /// otherwise disposes <paramref name="failedAttempt"/> and returns the wait before the next attempt.
    /// </summary>
    protected Task RetryAfterAsync(Exception error, IDisposable? failedAttempt)
    {
        var decision = Decide(error);
        if (!decision.ShouldRetry)
        {
            throw Stop(decision.StopReason, error);
        }

        failedAttempt?.Dispose();
        return WaitBeforeRetryAsync(decision, error);
    }

    /// <summary>Records and returns the error the caller sees when retrying stops for <paramref name="reason"/>.</summary>
    protected Exception Stop(RetryStopReason reason, Exception lastError) =>
        engine.Stop(reason, lastError, ref finalError, Context.Method, ResilienceCallContext.Of(Context.Options, Context.Method), AttemptsMade);

    /// <summary>Marks the call disposed and cancels a running backoff wait; the subclass disposes the attempt.</summary>
    protected void MarkDisposed()
    {
        Interlocked.Exchange(ref disposed, 1);
        try
        {
            Volatile.Read(ref backoff)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call already completed and released its backoff token.
        }
    }

    /// <summary>The call settled: reports its retries and releases what waiting needed.</summary>
    protected void Completed()
    {
        engine.Settled(Context.Method, Context.Host, AttemptsMade - 1, retryDelay);
        Interlocked.Exchange(ref backoff, null)?.Dispose();
    }

    /// <summary>The token a backoff wait observes: the caller's, plus this call's disposal. Created on first need.</summary>
    protected virtual CancellationToken BackoffToken()
    {
        if (Volatile.Read(ref backoff) is { } existing)
        {
            return existing.Token;
        }

        var callerToken = Context.Options.CancellationToken;
        var source = callerToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(callerToken) : new CancellationTokenSource();
        Interlocked.Exchange(ref backoff, source);
        if (IsDisposed)
        {
            source.Cancel();
        }

        return source.Token;
    }

    /// <summary>
    /// Waits the delay of <paramref name="decision"/>; throws the error the caller must see when the call is
    /// cancelled or disposed meanwhile, or when the deadline has passed by the end of it.
    /// </summary>
    private async Task WaitBeforeRetryAsync(RetryDecision decision, Exception error)
    {
        if ((decision.Delay > TimeSpan.Zero && !await engine.DelayAsync(decision.Delay, BackoffToken()).ConfigureAwait(false)) || IsCancelled)
        {
            throw Stop(RetryStopReason.Cancelled, error);
        }

        if (engine.DeadlinePassed(deadline, Context.Method, AttemptsMade, error))
        {
            throw Stop(RetryStopReason.DeadlineExceeded, error);
        }
    }
}
