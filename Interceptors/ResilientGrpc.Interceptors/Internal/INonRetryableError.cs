namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// Marks an error one of our interceptors raised to refuse a call (<c>BrokenCircuitException</c>): never retried nor
/// hedged, whatever its status, as replaying a call the breaker just refused would only hammer it.
/// </summary>
internal interface INonRetryableError;
