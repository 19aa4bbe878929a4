using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.CircuitBreaker.Calls;
using ResilientGrpc.Interceptors.CircuitBreaker.Controller;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// A client interceptor that stops calling a failing server: after enough failures the circuit opens and calls
/// fail at once with <see cref="BrokenCircuitException"/> without reaching the network; after
/// <see cref="CircuitBreakerOptions.BreakDuration"/> a probe call tests the server and closes or reopens it.
/// Covers every call kind. Place it above a deadline interceptor so a hung probe ends in DeadlineExceeded.
/// </summary>
/// <remarks>
/// Thread-safe. Admission and success while closed take no lock. One breaker serves every call through the
/// interceptor unless <see cref="CircuitBreakerOptions.KeySelector"/> gives each key its own.
/// </remarks>
public sealed class CircuitBreakerInterceptor : Interceptor, ICircuitObserver
{
    private readonly CircuitBreakerOptions options;
    private readonly TimeProvider time;
    private readonly OutcomeClassifier classifier;
    private readonly CircuitStateController? single;
    private readonly ConcurrentDictionary<string, CircuitStateController>? keyed;
    private volatile bool isolateNewKeys;

    /// <summary>Creates a circuit breaker from a copy of <paramref name="options"/>.</summary>
    /// <param name="options">The settings; copied, then validated.</param>
    /// <param name="timeProvider">The clock for break durations and sampling windows; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is invalid; the message names every invalid one.</exception>
    public CircuitBreakerInterceptor(CircuitBreakerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Clone();
        this.options.Validate();
        time = timeProvider ?? TimeProvider.System;
        classifier = new OutcomeClassifier(this.options.FailureStatusCodes);
        if (this.options.KeySelector is null)
        {
            single = new CircuitStateController(this.options, key: null, time, this);
        }
        else
        {
            keyed = new ConcurrentDictionary<string, CircuitStateController>(StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Raised once per real state change, outside any lock, on the thread that caused it. Open → HalfOpen is
    /// raised when the first call arrives after the break (while <see cref="State"/> already reads HalfOpen as soon as
    /// the break has elapsed). An exception thrown by a handler reaches the code that caused the change.
    /// </summary>
    public event EventHandler<CircuitStateChangedEventArgs>? StateChanged;

    /// <summary>
    /// The state of the breaker, computed on read: an open circuit reads HalfOpen as soon as its break has elapsed.
    /// With a <see cref="CircuitBreakerOptions.KeySelector"/>, the most severe state of all keys
    /// (Isolated, then Open, then HalfOpen, then Closed); see <see cref="GetState(string)"/>.
    /// </summary>
    public CircuitState State
    {
        get
        {
            if (single is not null)
            {
                return single.State;
            }

            var worst = isolateNewKeys ? CircuitState.Isolated : CircuitState.Closed;
            foreach (var controller in keyed!.Values)
            {
                var state = controller.State;
                if (Severity(state) > Severity(worst))
                {
                    worst = state;
                }
            }

            return worst;
        }
    }

    /// <summary>The state of the breaker for <paramref name="key"/>; Closed for a key no call has used yet.</summary>
    /// <param name="key">A key produced by <see cref="CircuitBreakerOptions.KeySelector"/>.</param>
    /// <exception cref="InvalidOperationException">No <see cref="CircuitBreakerOptions.KeySelector"/> is set.</exception>
    public CircuitState GetState(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var breakers = Keyed();
        return breakers.TryGetValue(key, out var controller)
            ? controller.State
            : isolateNewKeys ? CircuitState.Isolated : CircuitState.Closed;
    }

    /// <summary>
    /// Holds the circuit open until <see cref="Reset()"/>: calls are rejected with a null
    /// <see cref="BrokenCircuitException.RetryAfter"/>. With keys, isolates every key, including keys first seen later.
    /// </summary>
    public void Isolate()
    {
        if (single is not null)
        {
            single.Isolate();
            return;
        }

        isolateNewKeys = true;
        foreach (var controller in keyed!.Values)
        {
            controller.Isolate();
        }
    }

    /// <summary>Holds the breaker for <paramref name="key"/> open until it is reset.</summary>
    /// <param name="key">A key produced by <see cref="CircuitBreakerOptions.KeySelector"/>.</param>
    /// <exception cref="InvalidOperationException">No <see cref="CircuitBreakerOptions.KeySelector"/> is set.</exception>
    public void Isolate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ControllerFor(Keyed(), key).Isolate();
    }

    /// <summary>Closes the circuit and forgets every counted failure. With keys, resets every key.</summary>
    public void Reset()
    {
        if (single is not null)
        {
            single.Reset();
            return;
        }

        isolateNewKeys = false;
        foreach (var controller in keyed!.Values)
        {
            controller.Reset();
        }
    }

    /// <summary>Closes the breaker for <paramref name="key"/> and forgets its counted failures.</summary>
    /// <param name="key">A key produced by <see cref="CircuitBreakerOptions.KeySelector"/>.</param>
    /// <exception cref="InvalidOperationException">No <see cref="CircuitBreakerOptions.KeySelector"/> is set.</exception>
    public void Reset(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ControllerFor(Keyed(), key).Reset();
    }

    /// <inheritdoc/>
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var controller = ControllerFor(context.Method);
        if (!controller.TryEnter(out var permit, out var rejection))
        {
            throw rejection;
        }

        TResponse response;
        try
        {
            response = continuation(request, context);
        }
        catch (Exception error)
        {
            ReportThrow(controller, permit, error, context.Options.CancellationToken);
            throw;
        }

        controller.OnCompleted(permit, CallOutcome.Success);
        return response;
    }

    /// <inheritdoc/>
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var controller = ControllerFor(context.Method);
        if (!controller.TryEnter(out var permit, out var rejection))
        {
            return FailedCall.Unary<TResponse>(rejection);
        }

        AsyncUnaryCall<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (Exception error)
        {
            ReportThrow(controller, permit, error, context.Options.CancellationToken);
            throw;
        }

        return TrackedUnaryCall<TResponse>.Wrap(call, controller, permit, classifier, context.Options.CancellationToken);
    }

    /// <inheritdoc/>
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var controller = ControllerFor(context.Method);
        if (!controller.TryEnter(out var permit, out var rejection))
        {
            return FailedCall.ServerStreaming<TResponse>(rejection);
        }

        AsyncServerStreamingCall<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (Exception error)
        {
            ReportThrow(controller, permit, error, context.Options.CancellationToken);
            throw;
        }

        return TrackedServerStreamingCall<TResponse>.Wrap(call, controller, permit, classifier, context.Options.CancellationToken);
    }

    /// <inheritdoc/>
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var controller = ControllerFor(context.Method);
        if (!controller.TryEnter(out var permit, out var rejection))
        {
            return FailedCall.ClientStreaming<TRequest, TResponse>(rejection);
        }

        AsyncClientStreamingCall<TRequest, TResponse> call;
        try
        {
            call = continuation(context);
        }
        catch (Exception error)
        {
            ReportThrow(controller, permit, error, context.Options.CancellationToken);
            throw;
        }

        return TrackedClientStreamingCall<TRequest, TResponse>.Wrap(call, controller, permit, classifier, context.Options.CancellationToken);
    }

    /// <inheritdoc/>
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var controller = ControllerFor(context.Method);
        if (!controller.TryEnter(out var permit, out var rejection))
        {
            return FailedCall.DuplexStreaming<TRequest, TResponse>(rejection);
        }

        AsyncDuplexStreamingCall<TRequest, TResponse> call;
        try
        {
            call = continuation(context);
        }
        catch (Exception error)
        {
            ReportThrow(controller, permit, error, context.Options.CancellationToken);
            throw;
        }

        return TrackedDuplexStreamingCall<TRequest, TResponse>.Wrap(call, controller, permit, classifier, context.Options.CancellationToken);
    }

    /// <summary>Telemetry point: a breaker changed state (outside its lock). Raises <see cref="StateChanged"/>.</summary>
    void ICircuitObserver.OnTransition(in CircuitTransition transition) =>
        StateChanged?.Invoke(this, new CircuitStateChangedEventArgs(
            options.Name, transition.Key, transition.From, transition.To, transition.Reason, transition.FailureCount));

    /// <summary>Telemetry point: a breaker rejected a call (outside its lock).</summary>
    void ICircuitObserver.OnRejected(in CircuitRejection rejection)
    {
    }

    private static int Severity(CircuitState state) => state switch
    {
        CircuitState.Isolated => 3,
        CircuitState.Open => 2,
        CircuitState.HalfOpen => 1,
        _ => 0,
    };

    /// <summary>The call below threw instead of starting: report it, so a probe slot is never leaked.</summary>
    private void ReportThrow(CircuitStateController controller, CircuitPermit permit, Exception error, CancellationToken callerToken) =>
        controller.OnCompleted(permit, classifier.Classify(error, callerToken));

    private ConcurrentDictionary<string, CircuitStateController> Keyed() =>
        keyed ?? throw new InvalidOperationException(
            $"Circuit breaker '{options.Name}' has no {nameof(CircuitBreakerOptions.KeySelector)}; use the members without a key.");

    private CircuitStateController ControllerFor(IMethod method) =>
        single ?? ControllerFor(keyed!, options.KeySelector!(method) ?? string.Empty);

    private CircuitStateController ControllerFor(ConcurrentDictionary<string, CircuitStateController> breakers, string key)
    {
        if (breakers.TryGetValue(key, out var controller))
        {
            return controller;
        }

        // A key first seen after Isolate() starts isolated (no event: nothing changed for a caller). A key created
        // concurrently with Isolate() may miss it; Isolate() again or Isolate(key) covers that.
        return breakers.GetOrAdd(
            key,
            static (k, self) =>
            {
                var created = new CircuitStateController(self.options, k, self.time, self);
                if (self.isolateNewKeys)
                {
                    created.StartIsolated();
                }

                return created;
            },
            this);
    }
}
