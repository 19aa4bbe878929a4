using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Deadline;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// One interceptor's share of the attempt and call instruments. Per call: <see cref="Enter"/> before the
/// continuation, then <c>Track</c> (or <c>RunBlocking</c>) on the call the continuation returned, or <see cref="Refused"/> when the interceptor failed the
/// call itself. When nothing listens and nothing is logged, the call passes through untouched.
/// </summary>
/// <param name="metrics">The instruments.</param>
/// <param name="time">The clock durations are measured on.</param>
/// <param name="target">The <c>grpc.target</c> tag of calls that name no host; <c>unknown</c> when null.</param>
internal sealed class CallTelemetry(ResilienceMetrics metrics, TimeProvider time, string? target)
{
    /// <summary>Joins (or, outermost, starts) the call's shared context.</summary>
    public ResilienceCallContext? Enter<TRequest, TResponse>(ref ClientInterceptorContext<TRequest, TResponse> context, out bool ownsCall)
        where TRequest : class
        where TResponse : class =>
        ResilienceCallContext.Enter(ref context, metrics, time, target, out ownsCall);

    /// <summary>The start of an attempt, for its duration; zero when nothing is recorded.</summary>
    public long AttemptStart(ResilienceCallContext? call) => call is null ? 0 : time.GetTimestamp();

    public AsyncUnaryCall<TResponse> Track<TResponse>(
        AsyncUnaryCall<TResponse> attempt,
        ResilienceCallContext? call,
        bool ownsCall,
        long attemptStart,
        in DeadlineReport deadline,
        bool claimsAttempt = true) =>
        Observer(call, ownsCall, attemptStart, deadline, claimsAttempt, out var observer)
            ? ObservedCalls<TelemetryCallObserver>.Wrap(attempt, observer)
            : attempt;

    public AsyncServerStreamingCall<TResponse> Track<TResponse>(
        AsyncServerStreamingCall<TResponse> attempt,
        ResilienceCallContext? call,
        bool ownsCall,
        long attemptStart,
        in DeadlineReport deadline,
        bool claimsAttempt = true) =>
        Observer(call, ownsCall, attemptStart, deadline, claimsAttempt, out var observer)
            ? ObservedCalls<TelemetryCallObserver>.Wrap(attempt, observer)
            : attempt;

    public AsyncClientStreamingCall<TRequest, TResponse> Track<TRequest, TResponse>(
        AsyncClientStreamingCall<TRequest, TResponse> attempt,
        ResilienceCallContext? call,
        bool ownsCall,
        long attemptStart,
        in DeadlineReport deadline,
        bool claimsAttempt = true) =>
        Observer(call, ownsCall, attemptStart, deadline, claimsAttempt, out var observer)
            ? ObservedCalls<TelemetryCallObserver>.Wrap(attempt, observer)
            : attempt;

    public AsyncDuplexStreamingCall<TRequest, TResponse> Track<TRequest, TResponse>(
        AsyncDuplexStreamingCall<TRequest, TResponse> attempt,
        ResilienceCallContext? call,
        bool ownsCall,
        long attemptStart,
        in DeadlineReport deadline,
        bool claimsAttempt = true) =>
        Observer(call, ownsCall, attemptStart, deadline, claimsAttempt, out var observer)
            ? ObservedCalls<TelemetryCallObserver>.Wrap(attempt, observer)
            : attempt;

    /// <summary>Runs a blocking call and records what this interceptor observes of it.</summary>
    public TResponse RunBlocking<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        Interceptor.BlockingUnaryCallContinuation<TRequest, TResponse> continuation,
        ResilienceCallContext? call,
        bool ownsCall,
        in DeadlineReport deadline,
        bool claimsAttempt = true)
        where TRequest : class
        where TResponse : class
    {
        var start = AttemptStart(call);
        TResponse response;
        try
        {
            response = continuation(request, context);
        }
        catch (Exception error)
        {
            if (Observer(call, ownsCall, start, deadline, claimsAttempt, out var failed))
            {
                failed.OnEnded(error, default);
            }

            throw;
        }

        if (Observer(call, ownsCall, start, deadline, claimsAttempt, out var observer))
        {
            observer.OnEnded(error: null, default);
        }

        return response;
    }

    /// <summary>The interceptor failed the call itself (for example an open circuit): no attempt left.</summary>
    public void Refused(ResilienceCallContext? call, bool ownsCall, StatusCode status)
    {
        if (call is null)
        {
            return;
        }

        call.RefuseAttempt();
        if (ownsCall)
        {
            CallEnded(call, status);
        }
    }

    /// <summary>Records the end of what an observer was set to record.</summary>
    public void Ended(
        ResilienceCallContext? call, long attemptStart, bool recordsAttempt, bool recordsCall, StatusCode status, in DeadlineReport deadline)
    {
        if (call is not null)
        {
            if (recordsAttempt)
            {
                metrics.AttemptEnded(call.Method, call.Target, status, time.GetElapsedTime(attemptStart));
            }

            if (recordsCall)
            {
                CallEnded(call, status);
            }
        }

        if (status == StatusCode.DeadlineExceeded && deadline.Logger is { } logger)
        {
            DeadlineLog.DeadlineExceeded(logger, deadline.Method, deadline.TimeoutSeconds);
        }
    }

    /// <summary>
    /// Claims the attempt the continuation just started if no interceptor below did, and says whether the call
    /// needs observing at all.
    /// </summary>
    private bool Observer(
        ResilienceCallContext? call,
        bool ownsCall,
        long attemptStart,
        in DeadlineReport deadline,
        bool claimsAttempt,
        out TelemetryCallObserver observer)
    {
        var recordsAttempt = claimsAttempt && call is not null && call.TryClaimAttempt();
        if (recordsAttempt)
        {
            metrics.AttemptStarted(call!.Method, call.Target);
        }

        observer = new TelemetryCallObserver(this, call, attemptStart, recordsAttempt, ownsCall, deadline);
        return recordsAttempt || ownsCall || deadline.Logger is not null;
    }

    private void CallEnded(ResilienceCallContext call, StatusCode status)
    {
        metrics.CallEnded(call.Method, call.Target, status, time.GetElapsedTime(call.StartTimestamp));
        if (call.Retries > 0)
        {
            metrics.CallRetried(call.Method, call.Target, call.Retries, call.RetryDelay);
        }
    }
}
