using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>What a call a layer ends itself shows its caller: its error's status and trailers, and the errors of giving up between attempts.</summary>
internal static class CallErrors
{
    public const string CancelledDetail = "Call canceled by the client.";

    public static StatusCode CodeOf(Exception error) => error switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };

    public static Status StatusOf(Exception error) =>
        error is RpcException rpc ? rpc.Status : new Status(StatusCode.Unknown, error.Message);

    public static Metadata TrailersOf(Exception? error) => error is RpcException rpc ? rpc.Trailers : [];

    public static RpcException Cancelled(Exception? lastError) =>
        lastError is RpcException { StatusCode: StatusCode.Cancelled } cancelled
            ? cancelled
            : new RpcException(new Status(StatusCode.Cancelled, CancelledDetail), TrailersOf(lastError));

    public static RpcException DeadlineExceeded(Exception? lastError, string detail) =>
        lastError is RpcException { StatusCode: StatusCode.DeadlineExceeded } exceeded
            ? exceeded
            : new RpcException(new Status(StatusCode.DeadlineExceeded, detail), TrailersOf(lastError));

    /// <summary>The error a caller sees for <paramref name="error"/>: a cancellation of ours below becomes CANCELLED.</summary>
    public static Exception AsSeen(Exception error) =>
        error is OperationCanceledException ? new RpcException(new Status(StatusCode.Cancelled, CancelledDetail)) : error;
}

/// <summary>The caller's deadline of a call, as every layer reads it: in UTC, or <see cref="None"/>.</summary>
internal static class CallerDeadline
{
    public static readonly DateTime None = DateTime.MaxValue;

    public static DateTime Of(in CallOptions options) =>
        options.Deadline is { } deadline && deadline != DateTime.MaxValue ? deadline.ToUniversalTime() : None;

    public static bool PassesWithin(DateTime deadline, TimeSpan wait, TimeProvider time) =>
        deadline != None && time.GetUtcNow().UtcDateTime + wait >= deadline;

    public static TimeSpan? TimeLeft(DateTime deadline, TimeProvider time) =>
        deadline == None ? null : deadline - time.GetUtcNow().UtcDateTime;

    /// <summary>Whether the caller has given up (cancelled, or its deadline passed): an attempt then fails without reaching the server.</summary>
    public static bool CallerGaveUp(in CallOptions options, TimeProvider time) =>
        options.CancellationToken.IsCancellationRequested || PassesWithin(Of(options), TimeSpan.Zero, time);
}
