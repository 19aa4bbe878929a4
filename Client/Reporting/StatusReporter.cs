using System.Globalization;
using System.Text;
using ResilientGrpc.Client.Calls;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Reporting;

/// <summary>
/// Logs one status line per interval: calls per second, successes, errors by status, breaker rejections,
/// retries and the breaker's state (and, in the demo, what the server received).
/// </summary>
internal sealed class StatusReporter(
    TrafficCounters counters,
    CircuitBreakerInterceptor breaker,
    Func<long>? serverReceived,
    TimeProvider timeProvider,
    ILogger logger)
{
    public const string LogCategory = "ResilientGrpc.Client.Status";

    /// <summary>Logs a line every <paramref name="interval"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        var previous = counters.Snapshot();
        var previousServer = serverReceived?.Invoke() ?? 0;
        var previousTime = timeProvider.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = counters.Snapshot();
                var server = serverReceived?.Invoke() ?? 0;
                var time = timeProvider.GetTimestamp();
                var line = Format(now - previous, timeProvider.GetElapsedTime(previousTime, time), breaker.State, serverReceived is null ? null : server - previousServer);
                StatusLog.Status(logger, line);
                (previous, previousServer, previousTime) = (now, server, time);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped with the client.
        }
    }

    /// <summary>Formats one status line from the traffic of one interval.</summary>
    public static string Format(TrafficSnapshot delta, TimeSpan interval, CircuitState state, long? serverReceived)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var seconds = Math.Max(interval.TotalSeconds, 0.001);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{delta.Calls / seconds:0.0} calls/s | ok {delta.Succeeded} | errors ");
        text.Append(delta.Failures.Count == 0
            ? "0"
            : string.Join(" ", delta.Failures.Select(f => $"{StatusNames.Of(f.Key)}={f.Value}")));
        text.Append(CultureInfo.InvariantCulture, $" | rejected {delta.Rejected} | retries {delta.Retries} | breaker {state}");
        if (serverReceived is { } received)
        {
            text.Append(CultureInfo.InvariantCulture, $" | server received {received}");
        }

        return text.ToString();
    }
}
