using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// A logger provider that turns our breaker's opening events into <see cref="BreakerTimeline.Opened"/>, with the reason each
/// event names: failed calls in a row, failed attempts in a row, the failure ratio, or a failed probe. Nothing is written.
/// </summary>
internal sealed class OpeningLog(BreakerTimeline timeline) : ILoggerProvider, ILogger
{
    /// <summary>The category our circuit breaker logs under.</summary>
    public const string Category = "ResilientGrpc.CircuitBreaker";

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var reason = eventId.Name switch
        {
            "CircuitOpened" => Failures(state) + " calls",
            "CircuitOpenedOnAttempts" => Failures(state) + " attempts",
            "CircuitOpenedOnRatio" => "ratio",
            "CircuitReopened" => "probe",
            _ => null,
        };
        if (reason is not null)
        {
            timeline.Opened(reason);
        }
    }

    public void Dispose()
    {
    }

    /// <summary>The <c>Failures</c> value of a structured log message, or "?" when it has none.</summary>
    private static string Failures<TState>(TState state) =>
        state is IReadOnlyList<KeyValuePair<string, object?>> values
            ? values.FirstOrDefault(v => v.Key == "Failures").Value?.ToString() ?? "?"
            : "?";
}
