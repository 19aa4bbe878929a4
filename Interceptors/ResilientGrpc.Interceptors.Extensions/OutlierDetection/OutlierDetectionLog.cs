using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>Outlier detection's log events (category <c>ResilientGrpc.OutlierDetection</c>).</summary>
internal static partial class OutlierDetectionLog
{
    [LoggerMessage(5001, LogLevel.Warning,
        "Endpoint {Endpoint} ejected for {Seconds:0.###} s after {Failures} consecutive failures",
        EventName = "EndpointEjected")]
    public static partial void Ejected(ILogger logger, string endpoint, double seconds, int failures);

    [LoggerMessage(5002, LogLevel.Warning,
        "Endpoint {Endpoint} ejected for {Seconds:0.###} s after {Failures} failed attempts passed the failure percentage of the interval",
        EventName = "EndpointEjectedOnPercentage")]
    public static partial void EjectedOnPercentage(ILogger logger, string endpoint, double seconds, int failures);

    [LoggerMessage(5003, LogLevel.Warning,
        "Endpoint {Endpoint} ejected again for {Seconds:0.###} s: its readmission probe failed",
        EventName = "EndpointProbeFailed")]
    public static partial void ProbeFailed(ILogger logger, string endpoint, double seconds);

    [LoggerMessage(5004, LogLevel.Information,
        "Endpoint {Endpoint} returned after {Seconds:0.###} s",
        EventName = "EndpointReturned")]
    public static partial void Returned(ILogger logger, string endpoint, double seconds);

    [LoggerMessage(5005, LogLevel.Warning,
        "Endpoint {Endpoint} not ejected: {Ejected} of {Total} endpoints are out already",
        EventName = "EjectionNotEnforced")]
    public static partial void NotEnforced(ILogger logger, string endpoint, int ejected, int total);
}
