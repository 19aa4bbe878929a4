namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>Told of every ejection decision the detector makes, for its logs and metrics.</summary>
internal interface IEjectionObserver
{
    /// <summary><paramref name="endpoint"/> was ejected for <paramref name="duration"/>.</summary>
    void Ejected(string endpoint, EjectionReason reason, TimeSpan duration, int failures);

    /// <summary>
    /// <paramref name="endpoint"/> would have been ejected, but the ejection cap kept it: <paramref name="outCount"/> of
    /// the <paramref name="total"/> endpoints are out already.
    /// </summary>
    void NotEnforced(string endpoint, EjectionReason reason, int failures, int outCount, int total);

    /// <summary><paramref name="endpoint"/>'s probe succeeded: it takes traffic again.</summary>
    void Returned(string endpoint, TimeSpan ejectedFor);
}
