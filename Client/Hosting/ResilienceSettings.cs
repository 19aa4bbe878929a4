using ResilientGrpc.Client.Scenario;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Hosting;

/// <summary>The resilience settings of each mode.</summary>
internal static class ResilienceSettings
{
    /// <summary>The configuration section continuous mode reads (<c>Resilience__CircuitBreaker__BreakDuration</c>, ...).</summary>
    public const string SectionName = "Resilience";

    /// <summary>The full name of the method the demo calls and hedges.</summary>
    public const string ProcessMethod = "/unstable.v1.UnstableService/Process";

    /// <summary>
    /// The library's defaults with the demo's durations: at scale 1 exactly the defaults (2 s deadline; 3 attempts,
    /// 1 s then 2 s backoff; breaker 5 failed calls or 15 failed attempts in a row / 30 s), named <see cref="ResilientClient.BreakerName"/>.
    /// </summary>
    public static ResilienceOptions ForDemo(ScenarioTimings timings)
    {
        ArgumentNullException.ThrowIfNull(timings);
        var options = Defaults();
        options.Deadline!.Timeout = timings.Deadline;
        options.Retry!.InitialBackoff = timings.InitialBackoff;
        options.Retry.MaxBackoff = timings.MaxBackoff;
        options.CircuitBreaker!.BreakDuration = timings.BreakDuration;
        return options;
    }

    /// <summary>
    /// <see cref="ForDemo"/> plus hedging on <see cref="ProcessMethod"/> with the demo's hedge delay
    /// (<see cref="ScenarioTimings.HedgeDelay"/>, by default a tenth of the deadline): the client of the hedged phase.
    /// </summary>
    public static ResilienceOptions HedgedForDemo(ScenarioTimings timings)
    {
        var options = ForDemo(timings);
        options.Hedging = new HedgingOptions { HedgedMethods = { ProcessMethod }, Delay = timings.HedgeDelay };
        return options;
    }

    /// <summary>
    /// The library's defaults overridden by the <see cref="SectionName"/> section, read as the client factory's
    /// <c>AddResilience(configuration)</c> reads it: a list given replaces the default list.
    /// </summary>
    /// <exception cref="InvalidOperationException">A key is unknown, a value cannot be read or is invalid; the message names each by path.</exception>
    public static ResilienceOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = Defaults();
        ResilienceConfiguration.Bind(configuration.GetSection(SectionName), options);
        return options;
    }

    private static ResilienceOptions Defaults() => new()
    {
        Deadline = new DeadlineOptions(),
        Retry = new RetryOptions(),
        CircuitBreaker = new CircuitBreakerOptions { Name = ResilientClient.BreakerName },
    };
}
