using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using ResilientGrpc.Client.Cli;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Client.Hosting;

/// <summary>
/// A channel with the three interceptors stacked explicitly, the way the README teaches:
/// <c>channel.Intercept(retry, breaker, deadline)</c>, retry outermost and deadline innermost, so the breaker
/// sees every attempt and each attempt gets its own deadline. Keeps the breaker for its state. When the options
/// configure hedging, a second client on the same channel stacks <c>channel.Intercept(hedging, breaker, deadline)</c>
/// with the same breaker and deadline: hedged methods are never retried, and both clients share one circuit.
/// A <c>dns:///</c> or <c>static:///</c> address balances round robin over its endpoints with per-endpoint outlier
/// detection under the interceptors (<c>UseOutlierDetection</c>); a <c>dns:///</c> name is resolved again every
/// refresh interval, so that new replicas are seen (grpc-dotnet's default DNS resolver never re-resolves on a timer).
/// </summary>
internal sealed class ResilientClient : IDisposable
{
    /// <summary>The breaker's name in logs and metrics (the <c>breaker</c> tag).</summary>
    public const string BreakerName = "unstable";

    private const string ServiceName = "unstable.v1.UnstableService";

    private readonly GrpcChannel channel;
    private readonly ServiceProvider? channelServices;

    private ResilientClient(
        GrpcChannel channel,
        ServiceProvider? channelServices,
        CircuitBreakerInterceptor breaker,
        UnstableService.UnstableServiceClient client,
        UnstableService.UnstableServiceClient? hedgedClient,
        bool hedgesProcess)
    {
        this.channel = channel;
        this.channelServices = channelServices;
        Breaker = breaker;
        Client = client;
        HedgedClient = hedgedClient;
        ProcessClient = hedgesProcess ? hedgedClient! : client;
        PlainClient = new UnstableService.UnstableServiceClient(channel);
    }

    /// <summary>Gets the circuit breaker in the stack.</summary>
    public CircuitBreakerInterceptor Breaker { get; }

    /// <summary>Gets the client whose calls go through the interceptors.</summary>
    public UnstableService.UnstableServiceClient Client { get; }

    /// <summary>
    /// Gets the client whose calls go through hedging, the same breaker and the same deadline, or null when the options
    /// configure no hedging.
    /// </summary>
    public UnstableService.UnstableServiceClient? HedgedClient { get; }

    /// <summary>
    /// Gets the client continuous mode sends its <c>Process</c> calls through: the hedged one when the options hedge
    /// <c>Process</c> (a hedged method is never retried), the retrying one otherwise.
    /// </summary>
    public UnstableService.UnstableServiceClient ProcessClient { get; }

    /// <summary>Gets a client on the same channel without interceptors (for warming the connection up).</summary>
    public UnstableService.UnstableServiceClient PlainClient { get; }

    /// <summary>Creates the channel and the interceptors from <paramref name="options"/>.</summary>
    /// <param name="address">One server, <c>dns:///host:port</c>, or <see cref="ServerAddress.StaticAddress"/> with <paramref name="endpoints"/>.</param>
    /// <param name="options">The resilience settings.</param>
    /// <param name="timeProvider">The interceptors' and the detector's clock.</param>
    /// <param name="loggerFactory">The loggers.</param>
    /// <param name="meterFactory">The meters.</param>
    /// <param name="endpoints">The endpoints of a <c>static:///</c> address.</param>
    /// <param name="dnsRefresh">How often a <c>dns:///</c> address is resolved again; <see cref="ClientOptions.DefaultDnsRefresh"/> when null.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public static ResilientClient Create(
        Uri address,
        ResilienceOptions options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IMeterFactory meterFactory,
        IReadOnlyList<Uri>? endpoints = null,
        TimeSpan? dnsRefresh = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var retry = new RetryInterceptor(options.Retry ?? new RetryOptions(), timeProvider, loggerFactory, meterFactory);
        var breaker = new CircuitBreakerInterceptor(options.CircuitBreaker ?? new CircuitBreakerOptions { Name = BreakerName }, timeProvider, loggerFactory, meterFactory);
        var deadline = new DeadlineInterceptor(options.Deadline ?? new DeadlineOptions(), timeProvider, loggerFactory, meterFactory);

        var hedging = options.Hedging is { } h ? new HedgingInterceptor(h, timeProvider, loggerFactory, meterFactory) : null;

        var (channelOptions, channelServices) = ChannelOptionsFor(address, endpoints ?? [], dnsRefresh, timeProvider, meterFactory);
        var channel = GrpcChannel.ForAddress(address, channelOptions);
        var invoker = channel.Intercept(retry, breaker, deadline);
        var hedged = hedging is null ? null : new UnstableService.UnstableServiceClient(channel.Intercept(hedging, breaker, deadline));
        // The library's key rule: a full method name (with its leading slash) or a service name.
        var hedgesProcess = options.Hedging?.HedgedMethods.Any(m => m is ResilienceSettings.ProcessMethod or ServiceName) == true;
        return new ResilientClient(channel, channelServices, breaker, new UnstableService.UnstableServiceClient(invoker), hedged, hedgesProcess);
    }

    /// <summary>
    /// The channel options for <paramref name="address"/>: the defaults for one server; for <c>dns:///</c> and
    /// <c>static:///</c>, insecure credentials, the resolver factory (DNS with the refresh interval, or the static list)
    /// in a service provider the caller disposes, and outlier detection.
    /// </summary>
    internal static (GrpcChannelOptions Options, ServiceProvider? Services) ChannelOptionsFor(
        Uri address, IReadOnlyList<Uri> endpoints, TimeSpan? dnsRefresh, TimeProvider timeProvider, IMeterFactory meterFactory)
    {
        ResolverFactory resolver;
        if (address.Scheme == ServerAddress.DnsScheme)
        {
            var interval = dnsRefresh ?? ClientOptions.DefaultDnsRefresh;
            if (interval <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(dnsRefresh), interval, "The DNS refresh interval must be positive.");
            }

            resolver = new DnsResolverFactory(interval);
        }
        else if (address.Scheme == ServerAddress.StaticScheme)
        {
            if (endpoints.Count == 0)
            {
                throw new ArgumentException("A static:/// address needs at least one endpoint.", nameof(endpoints));
            }

            var addresses = endpoints.Select(e => new BalancerAddress(e.Host, e.Port)).ToArray();
            resolver = new StaticResolverFactory(_ => addresses);
        }
        else
        {
            return (new GrpcChannelOptions(), null);
        }

        var services = new ServiceCollection().AddSingleton(resolver).BuildServiceProvider();
        var options = new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceProvider = services,
        }.UseOutlierDetection(timeProvider: timeProvider, meterFactory: meterFactory, target: address.OriginalString);
        return (options, services);
    }

    public void Dispose()
    {
        channel.Dispose();
        channelServices?.Dispose();
    }
}
