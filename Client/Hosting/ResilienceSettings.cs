using ResilientGrpc.Client.Scenario;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Hosting;

/// <summary>The resilience settings of each mode.</summary>
internal static class ResilienceSettings
{
    /// <summary>The configuration section continuous mode reads (<c>Resilience__CircuitBreaker__BreakDuration</c>, ...).</summary>
    public const string SectionName = "Resilience";

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

    /// <summary>The library's defaults overridden by the <see cref="SectionName"/> section; an unknown key is an error.</summary>
    /// <exception cref="InvalidOperationException">A key is unknown or a value cannot be read.</exception>
    public static ResilienceOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = Defaults();
        configuration.GetSection(SectionName).Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        return options;
    }

    private static ResilienceOptions Defaults() => new()
    {
        Deadline = new DeadlineOptions(),
        Retry = new RetryOptions(),
        CircuitBreaker = new CircuitBreakerOptions { Name = ResilientClient.BreakerName },
    };
}
