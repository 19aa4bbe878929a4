using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.CircuitBreaker.Controller;

/// <summary>A call the breaker let through: how to report its outcome, and what telemetry records of it.</summary>
internal readonly record struct Admission(CircuitCallObserver Observer, ResilienceCallContext? Call, bool OwnsCall, long Start)
{
    /// <summary>
    /// The call below threw instead of starting: reports it, so a probe slot is never leaked. Returns false, for use
    /// as an exception filter that lets the exception pass unchanged.
    /// </summary>
    public bool Report(Exception error)
    {
        Observer.OnEnded(error, default);
        return false;
    }
}
