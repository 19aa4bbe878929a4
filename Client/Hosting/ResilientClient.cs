using System.Diagnostics.Metrics;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Client.Hosting;

/// <summary>
/// A channel with the three interceptors stacked explicitly, the way the README teaches:
/// <c>channel.Intercept(retry, breaker, deadline)</c>, retry outermost and deadline innermost, so the breaker
/// sees every attempt and each attempt gets its own deadline. Keeps the breaker for its state. When the options
/// configure hedging, a second client on the same channel stacks <c>channel.Intercept(hedging, breaker, deadline)</c>
/// with the same breaker and deadline: hedged methods are never retried, and both clients share one circuit.
/// </summary>
internal sealed class ResilientClient : IDisposable
{
    /// <summary>The breaker's name in logs and metrics (the <c>breaker</c> tag).</summary>
    public const string BreakerName = "unstable";

    private const string ServiceName = "unstable.v1.UnstableService";

    private readonly GrpcChannel channel;

    private ResilientClient(
        GrpcChannel channel,
        CircuitBreakerInterceptor breaker,
        UnstableService.UnstableServiceClient client,
        UnstableService.UnstableServiceClient? hedgedClient,
        bool hedgesProcess)
    {
        this.channel = channel;
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
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public static ResilientClient Create(
        Uri address,
        ResilienceOptions options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var retry = new RetryInterceptor(options.Retry ?? new RetryOptions(), timeProvider, loggerFactory, meterFactory);
        var breaker = new CircuitBreakerInterceptor(options.CircuitBreaker ?? new CircuitBreakerOptions { Name = BreakerName }, timeProvider, loggerFactory, meterFactory);
        var deadline = new DeadlineInterceptor(options.Deadline ?? new DeadlineOptions(), timeProvider, loggerFactory, meterFactory);

        var hedging = options.Hedging is { } h ? new HedgingInterceptor(h, timeProvider, loggerFactory, meterFactory) : null;

        var channel = GrpcChannel.ForAddress(address);
        var invoker = channel.Intercept(retry, breaker, deadline);
        var hedged = hedging is null ? null : new UnstableService.UnstableServiceClient(channel.Intercept(hedging, breaker, deadline));
        // The library's key rule: a full method name (with its leading slash) or a service name.
        var hedgesProcess = options.Hedging?.HedgedMethods.Any(m => m is ResilienceSettings.ProcessMethod or ServiceName) == true;
        return new ResilientClient(channel, breaker, new UnstableService.UnstableServiceClient(invoker), hedged, hedgesProcess);
    }

    public void Dispose() => channel.Dispose();
}
