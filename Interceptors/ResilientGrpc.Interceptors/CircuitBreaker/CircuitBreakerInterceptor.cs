using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.CircuitBreaker;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// A client interceptor that stops calling a failing server: after enough failures the circuit opens and calls
/// fail at once with <see cref="BrokenCircuitException"/> without reaching the network; after
/// <see cref="CircuitBreakerOptions.BreakDuration"/> a probe call tests the server and closes or reopens it.
/// Covers every call kind. Place it above a deadline interceptor so a hung probe ends in DeadlineExceeded.
/// </summary>
/// <remarks>Thread-safe. One breaker serves every call unless <see cref="CircuitBreakerOptions.KeySelector"/> gives each key its own.</remarks>
public sealed class CircuitBreakerInterceptor : Interceptor, ICircuitObserver
{
    private readonly CircuitBreakerSettings settings;
    private readonly TimeProvider time;
    private readonly CircuitRegistry breakers;
    private readonly CircuitBreakerTelemetry telemetry;

    /// <summary>Creates a circuit breaker from a copy of <paramref name="options"/>.</summary>
    /// <param name="options">The settings; validated, then copied, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock for break durations and sampling windows; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where state changes and the first rejection of each open period are logged (category <c>ResilientGrpc.CircuitBreaker</c>); nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <see cref="ResilienceTelemetry.MeterName"/> meter; a shared static meter is used when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is invalid; the message names every invalid one.</exception>
    public CircuitBreakerInterceptor(
        CircuitBreakerOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : this(options, InterceptorServices.From(timeProvider, loggerFactory, meterFactory))
    {
    }

    internal CircuitBreakerInterceptor(CircuitBreakerOptions options, InterceptorServices services)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        settings = new CircuitBreakerSettings(options);
        time = services.Time;
        var metrics = CircuitBreakerMetrics.For(services.MeterFactory);
        telemetry = new CircuitBreakerTelemetry(settings, services.Logger("CircuitBreaker"), metrics);
        Calls = services.CallTelemetry();
        var classifier = new OutcomeClassifier(settings.FailureStatusCodes);
        breakers = new CircuitRegistry(settings, key => new CircuitStateController(settings, classifier, key, time, this));
        metrics.ObserveStates(this, () => breakers.States(telemetry.BreakerName));
    }

    /// <summary>
    /// Raised once per real state change, outside any lock, on the thread that caused it. Open → HalfOpen is
    /// raised when the first call arrives after the break (while <see cref="State"/> already reads HalfOpen as soon as
    /// the break has elapsed). An exception thrown by a handler reaches the code that caused the change.
    /// </summary>
    public event EventHandler<CircuitStateChangedEventArgs>? StateChanged;

    internal CallTelemetry Calls { get; }

    /// <summary>
    /// The state of the breaker, computed on read: an open circuit reads HalfOpen as soon as its break has elapsed.
    /// With a <see cref="CircuitBreakerOptions.KeySelector"/>, the most severe state of all keys
    /// (Isolated, then Open, then HalfOpen, then Closed); see <see cref="GetState(string)"/>.
    /// </summary>
    public CircuitState State => breakers.State;

    /// <summary>The state of the breaker for <paramref name="key"/>; Closed for a key no call has used yet.</summary>
    /// <param name="key">A key produced by <see cref="CircuitBreakerOptions.KeySelector"/>.</param>
    /// <exception cref="InvalidOperationException">No <see cref="CircuitBreakerOptions.KeySelector"/> is set.</exception>
    public CircuitState GetState(string key) => breakers.GetState(key);

    /// <summary>
    /// Holds the circuit open until <see cref="Reset()"/>: calls are rejected with a null
    /// <see cref="BrokenCircuitException.RetryAfter"/>. With keys, isolates every key, including keys first seen later.
    /// </summary>
    public void Isolate() => breakers.Isolate();

    /// <summary>Holds the breaker for <paramref name="key"/> open until it is reset.</summary>
    /// <param name="key">A key produced by <see cref="CircuitBreakerOptions.KeySelector"/>.</param>
    /// <exception cref="InvalidOperationException">No <see cref="CircuitBreakerOptions.KeySelector"/> is set.</exception>
    public void Isolate(string key) => breakers.Isolate(key);

    /// <summary>Closes the circuit and forgets every counted failure. With keys, resets every key.</summary>
    public void Reset() => breakers.Reset();

    /// <summary>Closes the breaker for <paramref name="key"/> and forgets its counted failures.</summary>
    /// <param name="key">A key produced by <see cref="CircuitBreakerOptions.KeySelector"/>.</param>
    /// <exception cref="InvalidOperationException">No <see cref="CircuitBreakerOptions.KeySelector"/> is set.</exception>
    public void Reset(string key) => breakers.Reset(key);

    /// <inheritdoc/>
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        BlockingInvocation<TRequest, TResponse>.Wait(
            Intercept<TRequest, TResponse, AsyncUnaryCall<TResponse>, BlockingInvocation<TRequest, TResponse>>(context, new(request, continuation)));

    /// <inheritdoc/>
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        Intercept<TRequest, TResponse, AsyncUnaryCall<TResponse>, UnaryInvocation<TRequest, TResponse>>(
            context, new(request, continuation));

    /// <inheritdoc/>
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Intercept<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, ServerStreamingInvocation<TRequest, TResponse>>(
            context, new(request, continuation));

    /// <inheritdoc/>
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Intercept<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, ClientStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <inheritdoc/>
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Intercept<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, DuplexStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    void ICircuitObserver.OnTransition(in CircuitTransition transition)
    {
        telemetry.Transitioned(transition);
        StateChanged?.Invoke(this, new CircuitStateChangedEventArgs(
            settings.Name, transition.Key, transition.From, transition.To, transition.Reason, transition.FailureCount));
    }

    void ICircuitObserver.OnRejected(in CircuitRejection rejection) => telemetry.Rejected(rejection);

    /// <summary>The one path of every call kind: admit or refuse the attempt, start it, and learn its end from its owner or by observing it.</summary>
    internal TCall Intercept<TRequest, TResponse, TCall, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>
    {
        var call = ResilienceCallContext.Of(context.Options, context.Method);
        var scope = Calls.Enter(ref context, ref call);
        var controller = breakers.For(context.Method);
        if (!controller.TryEnter(out var permit, out var rejection))
        {
            telemetry.CallRejected(controller.Key, scope.Context?.Method ?? MethodNames.Of(context.Method), scope.Context?.Span, rejection.State);
            scope.Refused(StatusCode.Unavailable, rejection);
            return TInvocation.Fail(rejection);
        }

        var callerGaveUp = CallerDeadline.CallerGaveUp(context.Options, time);
        var attempt = controller.ScopeOf(call, callerGaveUp);
        var watched = attempt.Owner is { } owner && owner.TryWatchAttempt(controller, permit.Pack(callerGaveUp));
        var observer = new CircuitCallObserver(controller, permit, attempt, context.Options.CancellationToken);
        TCall started;
        try
        {
            started = invocation.Start(context);
        }
        catch (Exception error) when (observer.LocalError() || scope.Threw(error))
        {
            throw;
        }

        return scope.Track<TCall, TInvocation>(watched ? started : TInvocation.Observe(started, observer));
    }
}
