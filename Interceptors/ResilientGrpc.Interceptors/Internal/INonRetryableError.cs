namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// Marks an <see cref="Grpc.Core.RpcException"/> raised on the client side by one of our own interceptors to refuse
/// a call (the circuit breaker's <c>BrokenCircuitException</c>). The retry interceptor never retries such an error,
/// whatever its status code: replaying a call the breaker just refused would only hammer the breaker.
/// </summary>
/// <remarks>A marker only; implementing it is the whole contract.</remarks>
internal interface INonRetryableError;
