using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// Where and what to log if a call ends in DeadlineExceeded: set by the deadline interceptor when it gave the
/// call its deadline and its logger is enabled, empty otherwise.
/// </summary>
internal readonly record struct DeadlineReport(ILogger? Logger, string Method, double TimeoutSeconds);
