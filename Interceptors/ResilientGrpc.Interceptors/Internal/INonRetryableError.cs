namespace ResilientGrpc.Interceptors.Internal;

/// <summary>An error one of our layers raised to refuse a call (<c>BrokenCircuitException</c>): never retried nor hedged.</summary>
internal interface INonRetryableError;
