namespace ResilientGrpc.Client.Calls;

/// <summary>
/// One line per call (category <c>ResilientGrpc.Client.Calls</c>): Information in the demo, Debug under continuous
/// load, where the status line sums them up. Rejections are always Debug; the breaker logs the first of each open period.
/// </summary>
internal static partial class CallLog
{
    [LoggerMessage(EventId = 101, EventName = "CallSucceeded", Message = "Call {RequestId}: OK in {Seconds:0.00} s")]
    public static partial void Succeeded(ILogger logger, LogLevel level, string requestId, double seconds);

    [LoggerMessage(EventId = 102, EventName = "CallFailed", Message = "Call {RequestId}: failed with {Status} after {Seconds:0.00} s")]
    public static partial void Failed(ILogger logger, LogLevel level, string requestId, string status, double seconds);

    [LoggerMessage(103, LogLevel.Debug, "Call {RequestId}: rejected by the open circuit after {Seconds:0.000} s; it never reached the server", EventName = "CallRejected")]
    public static partial void Rejected(ILogger logger, string requestId, double seconds);
}
