using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// What every retried call kind shares: counting attempts, deciding after a failure, waiting out the backoff on
/// the injected clock, and building the error the caller finally sees. Subclasses own the attempts themselves.
/// </summary>
internal abstract class RetryingCall<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    private const string CancelledDetail = "Call canceled by the client.";
    private readonly RetryInterceptor owner;
    private readonly DateTime? deadline;
    private CancellationTokenSource? backoff;
    private Exception? finalError;
    private int disposed;

    protected RetryingCall(RetryInterceptor owner, TRequest request, ClientInterceptorContext<TRequest, TResponse> context)
    {
        this.owner = owner;
        Request = request;
        Context = context;
        deadline = context.Options.Deadline is { } d && d != DateTime.MaxValue ? d.ToUniversalTime() : null;
    }

    protected TRequest Request { get; }

    protected ClientInterceptorContext<TRequest, TResponse> Context { get; }

    /// <summary>Attempts started so far.</summary>
    protected int AttemptsMade { get; private set; }

    /// <summary>The error the call ended with, once it ended without success.</summary>
    protected Exception? FinalError => Volatile.Read(ref finalError);

    protected bool IsDisposed => Volatile.Read(ref disposed) == 1;

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
    protected void Succeeded() => owner.Throttle?.RecordSuccess();

    /// <summary>
    /// The call committed to its current attempt (a stream the caller started reading): a breaker below now counts
    /// a failure of that attempt as the call's failure, since no retry can follow it.
    /// </summary>
    protected void Committed() => ResilienceCallContext.Of(Context.Options)?.Commit();

    /// <summary>Decides what follows the current attempt's failure with <paramref name="error"/>.</summary>
    protected RetryDecision Decide(Exception error)
    {
        var cancelled = IsDisposed || Context.Options.CancellationToken.IsCancellationRequested;
        var code = RpcStatus.CodeOf(error);
        var throttle = owner.Throttle;
        if (throttle is not null && !cancelled && error is RpcException and not INonRetryableError && owner.Policy.IsRetryable(code))
        {
            throttle.RecordFailure();
        }

        TimeSpan? timeLeft = deadline is { } d ? d - owner.Time.GetUtcNow().UtcDateTime : null;
        var decision = owner.Policy.Evaluate(error, AttemptsMade, cancelled, throttle?.AllowsRetry ?? true, timeLeft, owner.NextSample());
        Report(error, code, decision);
        return decision;
    }

    /// <summary>
    /// Waits the delay of <paramref name="decision"/> on the injected clock; throws the error the caller must see
    /// when the call is cancelled or disposed meanwhile, or when the deadline has passed by the end of it.
    /// </summary>
    protected async Task WaitBeforeRetryAsync(RetryDecision decision, Exception error)
    {
        if (decision.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(decision.Delay, owner.Time, BackoffToken());
            }
            catch (OperationCanceledException)
            {
                throw Stop(RetryStopReason.Cancelled, error);
            }
        }

        if (IsDisposed || Context.Options.CancellationToken.IsCancellationRequested)
        {
            throw Stop(RetryStopReason.Cancelled, error);
        }

        if (deadline is { } d && owner.Time.GetUtcNow().UtcDateTime >= d)
        {
            owner.Telemetry.DeadlineExceeded(Context.Method, AttemptsMade, RpcStatus.CodeOf(error));
            throw Stop(RetryStopReason.DeadlineExceeded, error);
        }
    }

    /// <summary>Records and returns the error the caller sees when retrying stops for <paramref name="reason"/>.</summary>
    protected Exception Stop(RetryStopReason reason, Exception lastError)
    {
        var error = reason switch
        {
            RetryStopReason.Cancelled => lastError is RpcException { StatusCode: StatusCode.Cancelled }
                ? lastError
                : new RpcException(new Status(StatusCode.Cancelled, CancelledDetail), TrailersOf(lastError)),
            RetryStopReason.DeadlineExceeded => lastError is RpcException { StatusCode: StatusCode.DeadlineExceeded }
                ? lastError
                : new RpcException(
                    new Status(StatusCode.DeadlineExceeded, "The deadline passes before the next attempt could start."),
                    TrailersOf(lastError)),
            _ => lastError is OperationCanceledException
                ? new RpcException(new Status(StatusCode.Cancelled, CancelledDetail))
                : lastError,
        };
        Volatile.Write(ref finalError, error);
        if (reason != RetryStopReason.Cancelled)
        {
            // The last attempt's failure is the call's: a breaker below that counted it as a failed attempt now
            // counts a failed call. A call the caller gave up on proves nothing about the server.
            ResilienceCallContext.Of(Context.Options)?.ConfirmFailure();
        }

        owner.Telemetry.RetriesStopped(Context.Method, AttemptsMade, reason, RpcStatus.CodeOf(error));
        return error;
    }

    /// <summary>The status the caller sees for the failed call.</summary>
    protected static Status StatusOf(Exception error) =>
        error is RpcException rpc ? rpc.Status : new Status(StatusCode.Unknown, error.Message);

    /// <summary>The trailers the caller sees for the failed call.</summary>
    protected static Metadata TrailersOf(Exception error) => error is RpcException rpc ? rpc.Trailers : [];

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

    /// <summary>Releases what waiting needed, once the call has settled.</summary>
    protected void Completed() => Interlocked.Exchange(ref backoff, null)?.Dispose();

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

    private void Report(Exception error, StatusCode code, RetryDecision decision)
    {
        var telemetry = owner.Telemetry;
        var method = Context.Method;
        var call = ResilienceCallContext.Of(Context.Options) is { IsRecorded: true } recorded ? recorded : null;
        telemetry.AttemptFailed(method, AttemptsMade, code, decision, call);
        if (decision.IsPushback || decision.StopReason == RetryStopReason.ServerPushback)
        {
            var pushback = decision.StopReason == RetryStopReason.ServerPushback
                ? Timeout.InfiniteTimeSpan
                : RetryHeaders.PushbackOf(TrailersOf(error)) ?? decision.Delay;
            telemetry.PushbackReceived(method, AttemptsMade, code, pushback);
        }

        if (decision.StopReason == RetryStopReason.Throttled)
        {
            telemetry.RetryThrottled(method, AttemptsMade, code, call);
        }
        else if (decision.StopReason == RetryStopReason.DeadlineExceeded)
        {
            telemetry.DeadlineExceeded(method, AttemptsMade, code);
        }
    }
}
