using System.Diagnostics.Metrics;
using System.Globalization;
using ResilientGrpc.Client.Calls;
using ResilientGrpc.Client.Cli;
using ResilientGrpc.Client.Load;
using ResilientGrpc.Client.Reporting;

namespace ResilientGrpc.Client.Hosting;

/// <summary>
/// Continuous mode: steady load on an external server with the resilience settings from configuration, a
/// status line each second and metrics for Prometheus, until the duration ends or the process is stopped.
/// </summary>
internal static class ContinuousApplication
{
    /// <summary>Runs until the duration ends or Ctrl+C / SIGTERM.</summary>
    /// <exception cref="SettingsException">The <c>Resilience</c> configuration is invalid; nothing was called.</exception>
    public static async Task RunAsync(ClientOptions options, Action<ILoggingBuilder> configureLogging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var server = options.Server ?? throw new ArgumentException("Continuous mode needs a server address.", nameof(options));
        await using var app = ClientHost.Build(options.MetricsPort, anyAddress: true, configureLogging);
        var services = app.Services;
        var time = services.GetRequiredService<TimeProvider>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var meters = services.GetRequiredService<IMeterFactory>();
        var (resilience, created) = CreateClient(options, server, app.Configuration, time, loggers, meters);
        using var client = created;

        await app.StartAsync(cancellationToken);
        try
        {
            var log = loggers.CreateLogger(HostLog.Category);
            HostLog.MetricsListening(log, ClientHost.MetricsUrl(app));
            if (options.Balanced)
            {
                HostLog.Balancing(
                    log,
                    options.Endpoints.Count > 0
                        ? string.Join(", ", options.Endpoints.Select(e => e.Authority))
                        : server.OriginalString + ", resolved every " + options.DnsRefresh.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s");
            }

            HostLog.LoadStarted(
                log,
                server,
                options.Rate,
                options.Concurrency,
                options.Duration is { } d ? "for " + d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s" : "until stopped",
                resilience.Deadline!.Timeout.TotalSeconds,
                resilience.Retry!.MaxAttempts,
                resilience.Retry.InitialBackoff.TotalSeconds,
                resilience.CircuitBreaker!.Name,
                resilience.CircuitBreaker.FailureThreshold,
                resilience.CircuitBreaker.BreakDuration.TotalSeconds);

            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            var counters = new TrafficCounters();
            using var listener = new ResilienceMeterListener(counters, meters);
            var caller = new ProcessCaller(client.ProcessClient, counters, time, loggers.CreateLogger(ProcessCaller.LogCategory), LogLevel.Debug);
            var status = new StatusReporter(counters, client.Breaker, serverReceived: null, time, loggers.CreateLogger(StatusReporter.LogCategory));
            using var statusStop = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
            var statusTask = status.RunAsync(TimeSpan.FromSeconds(1), statusStop.Token);

            await new LoadGenerator(caller, options.Rate, options.Concurrency, time).RunAsync(options.Duration, stopping.Token);
            await statusStop.CancelAsync();
            await statusTask;

            var total = counters.Snapshot();
            HostLog.LoadFinished(log, total.Calls, total.Succeeded, total.Failed, total.Rejected, total.Retries);
        }
        finally
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(bound.Token);
        }
    }

    private static (Interceptors.ResilienceOptions Options, ResilientClient Client) CreateClient(
        ClientOptions client, Uri server, IConfiguration configuration, TimeProvider time, ILoggerFactory loggers, IMeterFactory meters)
    {
        try
        {
            var options = ResilienceSettings.FromConfiguration(configuration);
            return (options, ResilientClient.Create(server, options, time, loggers, meters, client.Endpoints, client.DnsRefresh));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new SettingsException(ex.Message, ex);
        }
    }
}
