namespace ResilientGrpc.Client.Overload;

/// <summary>
/// A logging provider that hears the circuit breaker's openings (category <see cref="Category"/>: events 3001, 3002 and
/// 3009 open it, 3003 opens it again after a failed probe) and hands each to a callback as it is logged.
/// </summary>
internal sealed class BreakerEventWatcher : ILoggerProvider
{
    public const string Category = "ResilientGrpc.CircuitBreaker";

    private static readonly int[] Openings = [3001, 3002, 3003, 3009];

    /// <summary>Gets or sets what each opening is handed to; null drops them.</summary>
    public Action? OnOpened { get; set; }

    public ILogger CreateLogger(string categoryName) =>
        categoryName == Category ? new Watcher(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Watcher(BreakerEventWatcher owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Openings.Contains(eventId.Id))
            {
                owner.OnOpened?.Invoke();
            }
        }
    }
}
