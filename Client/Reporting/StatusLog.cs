namespace ResilientGrpc.Client.Reporting;

/// <summary>The status line (category <c>ResilientGrpc.Client.Status</c>).</summary>
internal static partial class StatusLog
{
    [LoggerMessage(201, LogLevel.Information, "{Status}", EventName = "Status")]
    public static partial void Status(ILogger logger, string status);
}
