using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// A logger factory as production apps configure one: minimum level Warning, with a sink that formats every message
/// it receives as a console logger would (<see cref="FormattingLoggerProvider"/>) and drops the text. Nothing at
/// Information or below costs more than the level check.
/// </summary>
public static class WarningLoggerFactory
{
    /// <summary>Creates the factory; dispose it with the benchmark.</summary>
    public static ILoggerFactory Create() =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Warning).AddProvider(new FormattingLoggerProvider()));
}
