using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Tests.Retry;

/// <summary>What the breaker's <c>BrokenCircuitException</c> must look like to the retry interceptor.</summary>
internal sealed class FakeBrokenCircuitException()
    : RpcException(new Status(StatusCode.Unavailable, "The circuit is open.")), INonRetryableError;
