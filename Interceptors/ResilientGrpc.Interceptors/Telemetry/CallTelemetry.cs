using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// One interceptor's share of the call and attempt instruments: <see cref="Enter"/> joins the call's context (outermost,
/// starts it) and its <see cref="CallScope"/> records what this layer sees. When nothing listens, calls pass untouched.
/// </summary>
/// <param name="metrics">The instruments.</param>
/// <param name="time">The clock durations are measured on.</param>
/// <param name="target">The <c>grpc.target</c> tag of calls that name no host; <c>unknown</c> when null.</param>
internal sealed class CallTelemetry(CallMetrics metrics, TimeProvider time, string? target)
{
    /// <summary>
    /// The call's scope in this layer. Without a <paramref name="call"/> context and with a listener, this layer creates
    /// it (passed down in <paramref name="context"/>), starts the call's span if sampled, and owns the call.
    /// </summary>
    public CallScope Enter<TRequest, TResponse>(ref ClientInterceptorContext<TRequest, TResponse> context, ref ResilienceCallContext? call)
        where TRequest : class
        where TResponse : class
    {
        if (call is not null)
        {
            return new CallScope(this, call as RecordedCallContext, ownsCall: false);
        }

        // A span only for a call no layer of ours above has entered, and only if a listener samples it.
        var span = CallTracing.IsListening ? CallTracing.Create(context.Method) : null;
        if (span is null && !metrics.Enabled)
        {
            return new CallScope(this, call: null, ownsCall: false);
        }

        var created = RecordedCallContext.Create(ref context, time, target, span);
        call = created;
        if (span is not null)
        {
            CallTracing.Start(span, created);
        }

        return new CallScope(this, created, ownsCall: true);
    }

    /// <summary>
    /// The path of an owner (retry, hedging) for one call kind: the call is recorded and, when <paramref name="owned"/>,
    /// made of attempts by <typeparamref name="TOwned"/>, each offered to the attempt instruments; else one attempt.
    /// </summary>
    public TCall Owned<TEngine, TRequest, TResponse, TCall, TOwned, TInvocation>(
        TEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation, bool owned)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TOwned : struct, IOwnedCall<TEngine, TRequest, TResponse, TCall>
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>
    {
        if (!owned)
        {
            return Passed<TRequest, TResponse, TCall, TInvocation>(context, invocation);
        }

        var call = ResilienceCallContext.Of(context.Options, context.Method);
        var scope = Enter(ref context, ref call);
        try
        {
            return scope.Context is null
                ? default(TOwned).Start(engine, context, call, invocation)
                : scope.Track<TCall, TInvocation>(
                    default(TOwned).Start(engine, context, call, new AttemptLayer<TRequest, TResponse, TCall, TInvocation>(scope, invocation)), claimsAttempt: false);
        }
        catch (Exception error) when (scope.Threw(error))
        {
            throw;
        }
    }

    /// <summary>The path of a call kind a layer passes through as one attempt (retry's and hedging's streams with a request stream): only recorded.</summary>
    public TCall Passed<TRequest, TResponse, TCall, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>
    {
        var call = ResilienceCallContext.Of(context.Options, context.Method);
        var scope = Enter(ref context, ref call);
        try
        {
            return scope.Track<TCall, TInvocation>(invocation.Start(context));
        }
        catch (Exception error) when (scope.Threw(error))
        {
            throw;
        }
    }

    public long Now() => time.GetTimestamp();

    /// <summary>Claims the attempt just started if no interceptor below did; counts it when claimed.</summary>
    public bool ClaimAttempt(RecordedCallContext call)
    {
        if (!call.TryClaimAttempt())
        {
            return false;
        }

        metrics.AttemptStarted(call.Method, call.Target);
        return true;
    }

    public void AttemptEnded(RecordedCallContext call, long attemptStart, StatusCode status) =>
        metrics.AttemptEnded(call.Method, call.Target, status, time.GetElapsedTime(attemptStart));

    /// <summary>A call this interceptor owns ended (<paramref name="error"/> null: success or disposed); its span, if any, ends here.</summary>
    public void CallEnded(RecordedCallContext call, StatusCode status, Exception? error = null)
    {
        metrics.CallEnded(call.Method, call.Target, status, time.GetElapsedTime(call.StartTimestamp));
        if (call.Span is { } span)
        {
            CallTracing.End(span, status, error);
        }
    }
}

/// <summary>
/// How an owner starts each attempt of a recorded call: offered to the attempt instruments (the innermost layer claims
/// it), with the call's span current; the call itself is recorded by <paramref name="scope"/>'s owner.
/// </summary>
internal readonly struct AttemptLayer<TRequest, TResponse, TCall, TInner>(CallScope scope, TInner inner) : IInvocation<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
    where TInner : struct, IInvocation<TRequest, TResponse, TCall>
{
    public static TCall Observe<TObserver>(TCall call, TObserver observer)
        where TObserver : struct, ICallObserver => TInner.Observe(call, observer);

    public static TCall Fail(RpcException error) => TInner.Fail(error);

    public TCall Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        var attempt = scope.NextAttempt();

        // A retry started from a stream read, or a hedge from a timer: the attempt is still a child of the call's span.
        using var current = CurrentSpan.Of(scope.Context?.Span);
        return attempt.Track<TCall, TInner>(inner.Start(context));
    }
}

/// <summary>What every interceptor is built with besides its options; one value, so an entry point hands the same to each it builds.</summary>
/// <param name="Time">The clock for deadlines, backoff and break durations.</param>
/// <param name="LoggerFactory">Where the interceptor logs.</param>
/// <param name="MeterFactory">Creates the meter; the shared static meter when null.</param>
/// <param name="Target">The <c>grpc.target</c> tag of calls that name no host; <c>unknown</c> when null.</param>
internal sealed record InterceptorServices(TimeProvider Time, ILoggerFactory LoggerFactory, IMeterFactory? MeterFactory, string? Target)
{
    /// <summary>The services of an interceptor given these arguments; a null clock is the system's, a null logger factory logs nothing.</summary>
    public static InterceptorServices From(
        TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, string? target = null) =>
        new(timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance, meterFactory, target);

    /// <summary>The logger of <paramref name="pattern"/> (category <c>ResilientGrpc.&lt;pattern&gt;</c>).</summary>
    public ILogger Logger(string pattern) => LoggerFactory.CreateLogger(ResilienceTelemetry.LoggerCategoryPrefix + "." + pattern);

    /// <summary>The interceptor's share of the attempt and call instruments.</summary>
    public CallTelemetry CallTelemetry() => new(CallMetrics.For(MeterFactory), Time, Target);
}
