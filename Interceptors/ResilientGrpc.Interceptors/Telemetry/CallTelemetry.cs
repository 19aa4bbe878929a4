using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>One interceptor's share of the call and attempt instruments and the call's span; when nothing listens, calls pass untouched.</summary>
internal sealed class CallTelemetry(CallMetrics metrics, TimeProvider time, string? target)
{
    /// <summary>The call's scope in this layer; with a listener and no <paramref name="call"/> context yet, this layer creates it and owns the call.</summary>
    public CallScope Enter<TRequest, TResponse>(ref ClientInterceptorContext<TRequest, TResponse> context, ref ResilienceCallContext? call)
        where TRequest : class
        where TResponse : class
    {
        if (call is not null)
        {
            return new CallScope(this, call as RecordedCallContext, ownsCall: false);
        }

        // A span only for a call no layer of ours above has entered, and only if a listener samples it.
        // Stryker disable once Conditional : a source with no listener creates no activity; the check only skips the call.
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

    /// <summary>The path of an owner (retry, hedging): the call is recorded and, when <paramref name="owned"/>, made of attempts by <typeparamref name="TOwned"/>.</summary>
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

    public void CallEnded(RecordedCallContext call, StatusCode status, Exception? error = null)
    {
        metrics.CallEnded(call.Method, call.Target, status, time.GetElapsedTime(call.StartTimestamp));
        if (call.Span is { } span)
        {
            CallTracing.End(span, status, error);
        }
    }
}

/// <summary>How an owner starts each attempt of a recorded call: opened for the attempt instruments, with the call's span current.</summary>
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

/// <summary>What every interceptor is built with besides its options; <paramref name="Target"/> tags calls that name no host.</summary>
internal sealed record InterceptorServices(TimeProvider Time, ILoggerFactory LoggerFactory, IMeterFactory? MeterFactory, string? Target)
{
    public static InterceptorServices From(
        TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, string? target = null) =>
        new(timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance, meterFactory, target);

    public ILogger Logger(string pattern) => LoggerFactory.CreateLogger(ResilienceTelemetry.LoggerCategoryPrefix + "." + pattern);

    public CallTelemetry CallTelemetry() => new(CallMetrics.For(MeterFactory), Time, Target);
}
