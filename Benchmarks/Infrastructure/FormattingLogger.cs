using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>One category's logger of a <see cref="FormattingLoggerProvider"/>: formats every enabled message and hands it on.</summary>
internal sealed class FormattingLogger(FormattingLoggerProvider sink, string category) : ILogger
{
    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            sink.Write(logLevel, category, eventId, formatter(state, exception), exception);
        }
    }
}
