using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// The overload layers' log events (category <c>ResilientGrpc.Overload</c>): the start and the end of each spell of
/// local refusals, never one line per refusal.
/// </summary>
internal static partial class OverloadLog
{
    [LoggerMessage(6001, LogLevel.Warning,
        "Concurrency limit reached for {Target}: {Limit} attempts in flight; an attempt that gets no slot within {QueueWaitMilliseconds} ms is refused locally without reaching the server",
        EventName = "ConcurrencyLimitReached")]
    public static partial void LimitReached(ILogger logger, string target, int limit, double queueWaitMilliseconds);

    [LoggerMessage(6002, LogLevel.Information,
        "Concurrency limit for {Target} no longer refusing: {Refused} attempt(s) were refused; the limit is {Limit}",
        EventName = "ConcurrencyLimitRecovered")]
    public static partial void LimitRecovered(ILogger logger, string target, long refused, int limit);

    [LoggerMessage(6003, LogLevel.Warning,
        "Adaptive throttling for {Target} started refusing attempts locally: the server accepted {Accepts} of the last {Requests} attempts; refusing {Probability:P0} of new ones",
        EventName = "ThrottlingStarted")]
    public static partial void ThrottlingStarted(ILogger logger, string target, int accepts, int requests, double probability);

    [LoggerMessage(6004, LogLevel.Information,
        "Adaptive throttling for {Target} stopped refusing: {Refused} attempt(s) were refused",
        EventName = "ThrottlingEnded")]
    public static partial void ThrottlingEnded(ILogger logger, string target, long refused);
}
