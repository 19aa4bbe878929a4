namespace ResilientGrpc.Server.Telemetry;

/// <summary>The server's log messages. One <see cref="CallReceived"/> line per call; payloads are never logged.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, EventName = "CallReceived", Level = LogLevel.Information,
        Message = "{Method} request {RequestId}: chaos {Decision}")]
    public static partial void CallReceived(ILogger logger, string method, string requestId, string decision);

    [LoggerMessage(EventId = 2, EventName = "CallAbandoned", Level = LogLevel.Information,
        Message = "{Method} request {RequestId}: abandoned by the caller")]
    public static partial void CallAbandoned(ILogger logger, string method, string requestId);

    [LoggerMessage(EventId = 3, EventName = "ChaosConfigured", Level = LogLevel.Information,
        Message = "Chaos {Mode}: error rate {ErrorRate} ({ErrorCodes}, pushback {ErrorPushback}), hang rate {HangRate} for {HangDuration}, outage {Outage}, capacity {Capacity}, seed {Seed}")]
    public static partial void ChaosConfigured(
        ILogger logger, string mode, double errorRate, string errorCodes, string errorPushback, double hangRate, string hangDuration, string outage, string capacity, string seed);

    [LoggerMessage(EventId = 4, EventName = "CallShed", Level = LogLevel.Information,
        Message = "{Method} request {RequestId}: shed, every handler busy")]
    public static partial void CallShed(ILogger logger, string method, string requestId);

    [LoggerMessage(EventId = 5, EventName = "CallQueued", Level = LogLevel.Debug,
        Message = "{Method} request {RequestId}: queued for {WaitMilliseconds} ms")]
    public static partial void CallQueued(ILogger logger, string method, string requestId, double waitMilliseconds);
}
