using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// A logger factory as production apps configure one: minimum level Warning, with one provider that formats every
/// message it receives (as a console or file sink must) and drops the text. Nothing at Information or below costs
/// more than the level check.
/// </summary>
public static class WarningLoggerFactory
{
    /// <summary>Creates the factory; dispose it with the benchmark.</summary>
    public static ILoggerFactory Create() =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Warning).AddProvider(new FormattingProvider()));

    private sealed class FormattingProvider : ILoggerProvider
    {
        private long characters;

        public ILogger CreateLogger(string categoryName) => new FormattingLogger(this);

        public void Dispose()
        {
        }

        private sealed class FormattingLogger(FormattingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    Interlocked.Add(ref owner.characters, formatter(state, exception).Length);
                }
            }
        }
    }
}
