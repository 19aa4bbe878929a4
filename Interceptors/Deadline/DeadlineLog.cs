using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>The deadline interceptor's log events (category <c>ResilientGrpc.Deadline</c>).</summary>
internal static partial class DeadlineLog
{
    [LoggerMessage(2001, LogLevel.Warning,
        "{Method} exceeded its deadline of {TimeoutSeconds:0.###} s",
        EventName = "DeadlineExceeded")]
    public static partial void DeadlineExceeded(ILogger logger, string method, double timeoutSeconds);
}
