using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// A log sink that costs what a real one costs and keeps nothing: each message is formatted as the console logger lays it
/// out (timestamp, level, category, event id, message, exception) into one reused buffer, its lines counted, then dropped.
/// </summary>
internal sealed class FormattingLoggerProvider : ILoggerProvider
{
    private readonly Lock bufferLock = new();
    private readonly StringBuilder buffer = new(512);
    private readonly ConcurrentDictionary<string, long> byEvent = new(StringComparer.Ordinal);
    private long lines;
    private long characters;

    /// <summary>Gets the lines written so far.</summary>
    public long Lines => Interlocked.Read(ref lines);

    /// <summary>Gets the characters formatted so far.</summary>
    public long Characters => Interlocked.Read(ref characters);

    /// <summary>Gets the messages written so far by event name (the event id when it has none).</summary>
    public IReadOnlyDictionary<string, long> ByEvent => byEvent;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new FormattingLogger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>Formats one message into the buffer and counts it.</summary>
    public void Write(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        int written;
        int newLines;
        lock (bufferLock)
        {
            _ = buffer.Clear()
                .Append(DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture))
                .Append(ShortName(level)).Append(": ").Append(category).Append('[').Append(eventId.Id).Append(']').AppendLine()
                .Append("      ").Append(message);
            if (exception is not null)
            {
                _ = buffer.AppendLine().Append(exception);
            }

            _ = buffer.AppendLine();
            written = buffer.Length;
            newLines = 0;
            foreach (var chunk in buffer.GetChunks())
            {
                newLines += chunk.Span.Count('\n');
            }
        }

        _ = Interlocked.Add(ref lines, newLines);
        _ = Interlocked.Add(ref characters, written);
        _ = byEvent.AddOrUpdate(eventId.Name ?? eventId.Id.ToString(CultureInfo.InvariantCulture), 1, static (_, n) => n + 1);
    }

    private static string ShortName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
