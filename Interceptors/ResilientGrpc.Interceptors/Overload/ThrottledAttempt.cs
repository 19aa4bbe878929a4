using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Overload;

/// <summary>Tells the adaptive throttle how an attempt it let through ended, from the wrapper that observes it.</summary>
internal readonly struct ThrottledAttempt(AdaptiveThrottle throttle, CancellationToken callerToken) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken) => throttle.Ended(error, callerToken, readToken);

    /// <summary>An attempt disposed before its end counts as neither request nor accept.</summary>
    public void OnAbandoned()
    {
    }
}
