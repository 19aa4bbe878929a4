using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>A call retry makes of attempts one after another, and the one retry loop of every retried call kind.</summary>
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

    protected void RunAttempts<TInvocation>(TAttempt first, RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
    {
        Track(first);
        Running(RunAsync(engine, context, invocation));
    }

    protected abstract Task<TResult> OutcomeAsync(TAttempt attempt);

    protected virtual void OnSucceeded(TAttempt attempt)
    {
    }

    /// <summary>The attempt failed: whether it may still be retried (false when its error is already final).</summary>
    protected virtual bool TryFail(TAttempt attempt) => true;

    protected virtual void OnNextAttempt()
    {
    }

    private async Task<TResult> RunAsync<TInvocation>(RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
    {
        // Every local here lives in the call's state machine, allocated with each call still pending when it returns:
        // what the context or the call already holds (the shared context, the caller's token and deadline) is read again.
        var attempt = Attempt!;
        var attemptsMade = 1;
        var waited = TimeSpan.Zero;
        try
        {
            while (true)
            {
                Exception error;
                try
                {
                    var result = await OutcomeAsync(attempt).ConfigureAwait(false);
                    Shared.AttemptEnded(error: null, context.Options.CancellationToken);
                    OnSucceeded(attempt);
                    engine.AttemptSucceeded();
                    return result;
                }
                catch (Exception ex)
                {
                    Shared.AttemptEnded(ex, context.Options.CancellationToken);
                    if (!TryFail(attempt))
                    {
                        throw;
                    }

                    error = ex;
                }

                var callerToken = context.Options.CancellationToken;
                var deadline = CallerDeadline.Of(context.Options);
                var decision = engine.Decide(error, context.Method, context.Host, attemptsMade, IsCancelled(callerToken), deadline, Shared.Span);
                var reason = decision.StopReason;
                if (decision.ShouldRetry)
                {
                    attempt.Dispose();
                    waited += decision.Delay;
                    reason = (decision.Delay > TimeSpan.Zero && !await engine.DelayAsync(decision.Delay, BackoffToken(context.Options.CancellationToken)).ConfigureAwait(false))
                        || IsCancelled(context.Options.CancellationToken)
                        ? RetryStopReason.Cancelled
                        : engine.DeadlinePassed(CallerDeadline.Of(context.Options), context.Method, attemptsMade, error) ? RetryStopReason.DeadlineExceeded : RetryStopReason.None;
                }

                if (reason != RetryStopReason.None)
                {
                    throw Ended(engine.Stop(reason, error, context.Method, Shared, attemptsMade));
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

/// <summary>An async unary call that retries; headers never commit it, so the call's headers are the final attempt's, once settled.</summary>
internal sealed class RetryingUnaryCall<TRequest, TResponse> : RetryingCall<TRequest, TResponse, AsyncUnaryCall<TResponse>, TResponse>
    where TRequest : class
    where TResponse : class
{
    private RetryingUnaryCall(in ClientInterceptorContext<TRequest, TResponse> context)
        : base(context)
    {
    }

    public static AsyncUnaryCall<TResponse> Start<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    {
        RetryingUnaryCall<TRequest, TResponse>? call = null;
        var shared = found;
        if (engine.DeclaresAttempts || found is not null)
        {
            call = new RetryingUnaryCall<TRequest, TResponse>(context);
            shared = call.Declare(ref context, found, engine.MaxAttempts, AttemptsReport.Sequential);
        }

        var first = invocation.Start(context);
        var pending = first.ResponseAsync;
        if (pending.IsCompletedSuccessfully)
        {
            shared?.AttemptEnded(error: null, context.Options.CancellationToken);
            engine.AttemptSucceeded();
            return first;
        }

        if (pending.IsFaulted && pending.Exception?.InnerException is INonRetryableError and Exception refused)
        {
            // Refused at once below (an open circuit): never retried, so the refused call is the caller's.
            shared?.AttemptEnded(refused, context.Options.CancellationToken);
            return first;
        }

        call ??= new RetryingUnaryCall<TRequest, TResponse>(context);
        call.RunAttempts(first, engine, context, invocation);
        return new AsyncUnaryCall<TResponse>(call.Run, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, call);
    }

    protected override Task<TResponse> OutcomeAsync(AsyncUnaryCall<TResponse> attempt) => attempt.ResponseAsync;

    protected override Task<Metadata> HeadersAsync() => HeadersOnceSettledAsync(static attempt => attempt.ResponseHeadersAsync);

    protected override Status StatusOf(AsyncUnaryCall<TResponse> attempt) => attempt.GetStatus();

    protected override Metadata TrailersOf(AsyncUnaryCall<TResponse> attempt) => attempt.GetTrailers();
}
