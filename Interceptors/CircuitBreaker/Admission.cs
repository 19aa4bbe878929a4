using ResilientGrpc.Interceptors.Telemetry;


namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>A call the breaker let through: how to report its outcome, and what telemetry records of it.</summary>
internal readonly record struct Admission(CircuitCallObserver Observer, ResilienceCallContext? Call, bool OwnsCall, long Start)
{
    /// <summary>
    /// A blocking call ended with <paramref name="error"/>, thrown as blocking calls report every failure. Returns
    /// false, for use as an exception filter that lets the exception pass unchanged.
    /// </summary>
    public bool Report(Exception error)
    {
        Observer.OnEnded(error, default);
        return false;
    }

    /// <summary>
    /// The call below threw instead of starting: a local error that never reached the server, so it counts as
    /// neither success nor failure, and a probe slot is never leaked. Returns false, for use as an exception filter
    /// that lets the exception pass unchanged.
    /// </summary>
    public bool ReportLocalError()
    {
        Observer.OnAbandoned();
        return false;
    }
}
