using Microsoft.Extensions.Configuration;
using ResilientGrpc.Interceptors.Configuration;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Reads a <c>Resilience</c> configuration section (<c>Deadline</c>, <c>Retry</c>, <c>CircuitBreaker</c>, <c>Hedging</c>,
/// <c>ConcurrencyLimit</c>, <c>AdaptiveThrottling</c>) onto
/// <see cref="ResilienceOptions"/>, and an <c>OutlierDetection</c> section onto <see cref="OutlierDetectionOptions"/>: the
/// one reading the client factory's <c>AddResilience(configuration)</c> and <c>AddOutlierDetection(configuration)</c> use too.
/// </summary>
/// <remarks>
/// Each known key is read explicitly; a key the section does not give keeps the value the options already hold.
/// A list or dictionary given in configuration (<c>Retry:RetryableStatusCodes:0=Internal</c>,
/// <c>Deadline:MethodTimeouts:/package.Service/Method=00:00:10</c>) replaces the one in the options as a whole.
/// Durations are written as <c>00:00:02</c>; status codes by name (<c>Unavailable</c>); an empty value sets a
/// nullable setting (<c>CircuitBreaker:FailureRatio</c>) to null. Keys are case-insensitive.
/// </remarks>
public static class ResilienceConfiguration
{
    /// <summary>
    /// Sets <paramref name="options"/> from <paramref name="section"/>, then validates the result. A pattern that is
    /// <see langword="null"/> in <paramref name="options"/> stays left out, and its section is not read; hedging and
    /// adaptive throttling, off by default, are the exception: a <c>Hedging</c> or <c>AdaptiveThrottling</c> section with
    /// keys turns it on.
    /// </summary>
    /// <param name="section">The section holding <c>Deadline</c>, <c>Retry</c>, <c>CircuitBreaker</c>, <c>Hedging</c>, <c>ConcurrencyLimit</c> and <c>AdaptiveThrottling</c>.</param>
    /// <param name="options">The options to change; usually the defaults, <c>new ResilienceOptions()</c>.</param>
    /// <exception cref="InvalidOperationException">
    /// A key is unknown, a value cannot be read, or a setting is invalid. The message names each such key by its
    /// configuration path (<c>Resilience:Retry:MaxAttempts</c>) and says what is allowed.
    /// </exception>
    public static void Bind(IConfiguration section, ResilienceOptions options) =>
        Bind(section, options, "resilience", static (s, o, p) => Read(s, o, p), static (o, p) => o.Validate(p));

    /// <summary>
    /// Sets <paramref name="options"/> from <paramref name="section"/> (keys <c>ConsecutiveFailures</c>,
    /// <c>FailurePercentageThreshold</c>, <c>MinimumHosts</c>, <c>RequestVolume</c>, <c>Interval</c>, <c>BaseEjectionTime</c>,
    /// <c>MaxEjectionTime</c>, <c>MaxEjectionPercent</c>, <c>FailureStatusCodes</c>), then validates the result.
    /// </summary>
    /// <param name="section">The <c>OutlierDetection</c> section.</param>
    /// <param name="options">The options to change; usually the defaults, <c>new OutlierDetectionOptions()</c>.</param>
    /// <exception cref="InvalidOperationException">
    /// A key is unknown, a value cannot be read, or a setting is invalid. The message names each such key by its
    /// configuration path and says what is allowed.
    /// </exception>
    public static void Bind(IConfiguration section, OutlierDetectionOptions options) =>
        Bind(section, options, "outlier detection", static (s, o, p) => Read(s, o, p), static (o, p) => o.Validate(p));

    /// <summary>Sets <paramref name="options"/> from <paramref name="section"/>, recording every key it cannot use.</summary>
    internal static void Read(IConfiguration section, OutlierDetectionOptions options, OptionsProblems problems) =>
        OutlierDetectionBinding.Read(new ConfigurationReader(section, problems), options);

    /// <summary>Sets <paramref name="options"/> from <paramref name="section"/>, recording every key it cannot use.</summary>
    internal static void Read(IConfiguration section, ResilienceOptions options, OptionsProblems problems)
    {
        var reader = new ConfigurationReader(section, problems);
        var deadline = reader.Section(nameof(ResilienceOptions.Deadline));
        var retry = reader.Section(nameof(ResilienceOptions.Retry));
        var breaker = reader.Section(nameof(ResilienceOptions.CircuitBreaker));
        var hedging = reader.Section(nameof(ResilienceOptions.Hedging));
        var limit = reader.Section(nameof(ResilienceOptions.ConcurrencyLimit));
        var throttling = reader.Section(nameof(ResilienceOptions.AdaptiveThrottling));
        reader.ReportUnknownKeys();
        if (options.Deadline is not null)
        {
            DeadlineBinding.Read(deadline, options.Deadline);
        }

        if (options.Retry is not null)
        {
            RetryBinding.Read(retry, options.Retry);
        }

        if (options.CircuitBreaker is not null)
        {
            CircuitBreakerBinding.Read(breaker, options.CircuitBreaker);
        }

        if (options.ConcurrencyLimit is not null)
        {
            ConcurrencyLimitBinding.Read(limit, options.ConcurrencyLimit);
        }

        HedgingBinding.Read(hedging, options);
        AdaptiveThrottlingBinding.Read(throttling, options);
    }

    /// <summary>Reads <paramref name="section"/> onto <paramref name="options"/>, validates them, and throws naming every problem by path.</summary>
    private static void Bind<TOptions>(
        IConfiguration section, TOptions options, string what, Action<IConfiguration, TOptions, OptionsProblems> read, Action<TOptions, OptionsProblems> validate)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var problems = OptionsProblems.InConfiguration(PathOf(section));
        read(section, options, problems);
        validate(options, problems);
        if (!problems.IsEmpty)
        {
            throw new InvalidOperationException($"Invalid {what} configuration: {problems}");
        }
    }

    /// <summary>The configuration path of <paramref name="section"/>; empty for a configuration root.</summary>
    internal static string PathOf(IConfiguration section) => (section as IConfigurationSection)?.Path ?? string.Empty;
}
