using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// Sits on the channel's call invoker, below a contender's whole stack, and counts the attempts of each call of the load
/// that left the client (the load's request ids are the calls' ordinals). A failed call with none was refused locally:
/// the server never saw it. grpc-dotnet's built-in retry lives inside the channel, so here it shows as one attempt per call.
/// </summary>
/// <param name="calls">The number of calls the load makes; ids outside it (the warm-up's) are not counted.</param>
internal sealed class SentAttempts(int calls) : Interceptor
{
    private readonly int[] attempts = new int[calls];

    /// <summary>How many attempts of call <paramref name="ordinal"/> left the client.</summary>
    public int Of(long ordinal) => Volatile.Read(ref attempts[ordinal]);

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        if (request is ProcessRequest process
            && int.TryParse(process.RequestId, NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
            && ordinal < attempts.Length)
        {
            _ = Interlocked.Increment(ref attempts[ordinal]);
        }

        return continuation(request, context);
    }
}
