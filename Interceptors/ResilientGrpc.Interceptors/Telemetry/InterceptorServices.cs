using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>What every interceptor is built with besides its options; one value, so an entry point hands the same to each it builds.</summary>
/// <param name="Time">The clock for deadlines, backoff and break durations.</param>
/// <param name="LoggerFactory">Where the interceptor logs.</param>
/// <param name="MeterFactory">Creates the meter; the shared static meter when null.</param>
/// <param name="Target">The <c>grpc.target</c> tag of calls that name no host; <c>unknown</c> when null.</param>
internal sealed record InterceptorServices(TimeProvider Time, ILoggerFactory LoggerFactory, IMeterFactory? MeterFactory, string? Target)
{
    /// <summary>The services of an interceptor given these arguments; a null clock is the system's, a null logger factory logs nothing.</summary>
    public static InterceptorServices From(
        TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, string? target = null) =>
        new(timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance, meterFactory, target);

    /// <summary>The logger of <paramref name="pattern"/> (category <c>ResilientGrpc.&lt;pattern&gt;</c>).</summary>
    public ILogger Logger(string pattern) => LoggerFactory.CreateLogger(ResilienceTelemetry.LoggerCategoryPrefix + "." + pattern);

    /// <summary>The interceptor's share of the attempt and call instruments.</summary>
    public CallTelemetry CallTelemetry() => new(CallMetrics.For(MeterFactory), Time, Target);
}
