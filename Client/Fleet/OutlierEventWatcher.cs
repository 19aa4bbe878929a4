namespace ResilientGrpc.Client.Fleet;

/// <summary>One of outlier detection's log events, as the fleet demo saw it.</summary>
/// <param name="EventId">5001 ejected, 5002 ejected on percentage, 5003 probe failed, 5004 returned, 5005 not enforced.</param>
/// <param name="Endpoint">The endpoint, <c>host:port</c>.</param>
internal readonly record struct OutlierEvent(int EventId, string Endpoint)
{
    public const int Ejected = 5001;
    public const int EjectedOnPercentage = 5002;
    public const int ProbeFailed = 5003;
    public const int Returned = 5004;
}

/// <summary>
/// A logging provider that hands each of outlier detection's events (category <see cref="Category"/>) to a callback
/// as it is logged, so the demo can note what the replica had received at that moment.
/// </summary>
internal sealed class OutlierEventWatcher : ILoggerProvider
{
    public const string Category = "ResilientGrpc.OutlierDetection";

    /// <summary>Gets or sets what each event is handed to; null drops them.</summary>
    public Action<OutlierEvent>? OnEvent { get; set; }

    public ILogger CreateLogger(string categoryName) =>
        categoryName == Category ? new Watcher(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Watcher(OutlierEventWatcher owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var endpoint = state is IReadOnlyList<KeyValuePair<string, object?>> values
                ? values.FirstOrDefault(v => v.Key == "Endpoint").Value?.ToString()
                : null;
            if (endpoint is not null)
            {
                owner.OnEvent?.Invoke(new OutlierEvent(eventId.Id, endpoint));
            }
        }
    }
}
