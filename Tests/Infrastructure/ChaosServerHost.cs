using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Server.Hosting;
using ResilientGrpc.Server.Telemetry;

namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>
/// The real unstable server hosted in-process on a TestServer, for any test suite.
/// <code>
/// await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 1; });
/// var reply = await host.Client.ProcessAsync(new ProcessRequest { RequestId = "r1" });
/// Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1));
/// </code>
/// </summary>
public sealed class ChaosServerHost : IAsyncDisposable
{
    /// <summary>The longest a test should wait for anything; a hang fails fast instead of stalling CI.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private ChaosServerHost(WebApplication app)
    {
        _app = app;
        var server = app.GetTestServer();
        BaseAddress = server.BaseAddress;
        HttpHandler = new ClientDeadlineOnlyHandler(server.CreateHandler());
        Controller = app.Services.GetRequiredService<ChaosController>();
        Statistics = app.Services.GetRequiredService<ServerCallStatistics>();
        Logs = app.Services.GetFakeLogCollector();
        _channel = CreateChannel();
        Client = new UnstableService.UnstableServiceClient(_channel);
    }

    /// <summary>Gets the address to give a channel (use with <see cref="HttpHandler"/>).</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Gets the in-memory handler that reaches the server; set it as <see cref="GrpcChannelOptions.HttpHandler"/>.
    /// Deadlines are enforced by the client only (see <see cref="ClientDeadlineOnlyHandler"/>), so a call
    /// that outlives its deadline always fails with <c>DEADLINE_EXCEEDED</c>.
    /// </summary>
    public HttpMessageHandler HttpHandler { get; }

    /// <summary>Gets a plain client (no interceptors) on a channel owned by the host.</summary>
    public UnstableService.UnstableServiceClient Client { get; }

    /// <summary>Gets the chaos settings in force; change them at runtime with <see cref="ChaosController.Apply"/>/<see cref="ChaosController.Update"/>.</summary>
    public ChaosController Controller { get; }

    /// <summary>Gets what the server saw (calls by method and outcome, abandoned calls).</summary>
    public ServerCallStatistics Statistics { get; }

    /// <summary>Gets the server's log records.</summary>
    public FakeLogCollector Logs { get; }

    /// <summary>Gets the server's services (for example its <see cref="System.Diagnostics.Metrics.IMeterFactory"/>).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server. Chaos starts from <see cref="ChaosOptions"/> defaults, that is off.</summary>
    /// <param name="configure">Changes the chaos settings before start, e.g. <c>o =&gt; { o.Enabled = true; o.Seed = 1; }</c>.</param>
    /// <param name="timeProvider">The server's clock for hangs and the outage clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <returns>The started host; dispose it.</returns>
    public static async Task<ChaosServerHost> StartAsync(Action<ChaosOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var options = new ChaosOptions();
        configure?.Invoke(options);

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Information);
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        var app = UnstableServerApplication.Build(builder, options);
        await app.StartAsync().WaitAsync(DefaultTimeout);
        return new ChaosServerHost(app);
    }

    /// <summary>Creates a channel to the server; <paramref name="options"/> gets <see cref="HttpHandler"/> unless it has a handler or client.</summary>
    /// <param name="options">Channel options, for example a service config; null for defaults.</param>
    /// <returns>A new channel; the caller disposes it.</returns>
    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        if (options.HttpHandler is null && options.HttpClient is null)
        {
            options.HttpHandler = HttpHandler;
        }

        return GrpcChannel.ForAddress(BaseAddress, options);
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the statistics (they are updated asynchronously, e.g. abandonment).</summary>
    /// <param name="condition">The condition to wait for.</param>
    /// <param name="timeout">How long to wait; <see cref="DefaultTimeout"/> when null.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    /// <exception cref="TimeoutException">The condition did not hold in time.</exception>
    public async Task WaitForStatisticsAsync(Func<ServerCallStatistics, bool> condition, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (!condition(Statistics))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Server statistics did not reach the expected state in time: {Statistics}");
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        HttpHandler.Dispose();
        await _app.StopAsync().WaitAsync(DefaultTimeout);
        await _app.DisposeAsync();
    }
}
