using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>Maps what a call ended with to the status gRPC would report for it.</summary>
internal static class RpcStatus
{
    /// <summary>The status code a caller observes for <paramref name="exception"/>.</summary>
    public static StatusCode CodeOf(Exception exception) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };
}
