using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.DependencyInjection;

/// <summary>
/// AddResilience in an app with .NET Aspire's service defaults, which put <c>AddStandardResilienceHandler()</c> on every
/// HttpClient through <c>ConfigureHttpClientDefaults</c>, gRPC clients included. Registered the documented way
/// (<c>RemoveAllResilienceHandlers()</c>, then <c>AddResilience</c>) only our layers act on a call; without
/// <c>RemoveAllResilienceHandlers()</c> the standard handler stays below our interceptors and retries what it can see.
/// </summary>
public sealed class AspireServiceDefaultsTests
{
    private const string Name = "unstable";
    private const int OurAttempts = 3;

    /// <summary>The standard handler's default: 3 retries after the first attempt.</summary>
    private const int StandardAttempts = 1 + 3;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private ChaosServerHost host = null!;

    [OneTimeSetUp]
    public async Task StartServer() =>
        host = await ChaosServerHost.StartAsync(o =>
        {
            o.Enabled = true;
            o.ErrorRate = 1;
            o.ErrorCodes = [StatusCode.Unavailable];
            o.HangRate = 0;
        });

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [SetUp]
    public void ResetServer() => host.Statistics.Reset();

    [Test]
    public async Task RemoveAllThenAddResilience_ServiceDefaults_NoStandardHandlerInTheChain()
    {
        await using var services = Services(removeStandardHandler: true, () => new NonDisposingHandler(host.HttpHandler));

        var chain = Chain(services);

        Assert.That(chain, Has.None.InstanceOf<ResilienceHandler>(), string.Join(" -> ", chain.Select(h => h.GetType().Name)));
    }

    [Test]
    public async Task ServiceDefaultsKept_StandardHandlerStaysInTheChainBelowOurInterceptors()
    {
        await using var services = Services(removeStandardHandler: false, () => new NonDisposingHandler(host.HttpHandler));

        var chain = Chain(services);

        Assert.That(chain.OfType<ResilienceHandler>().Count(), Is.EqualTo(1), string.Join(" -> ", chain.Select(h => h.GetType().Name)));
    }

    [Test]
    public async Task RemoveAllThenAddResilience_UnavailableInTrailers_ServerReceivesOurAttemptsOnly()
    {
        await using var services = Services(removeStandardHandler: true, () => new NonDisposingHandler(host.HttpHandler));
        var client = Client(services);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(OurAttempts), "our retry's attempts, and nothing else");
    }

    [Test]
    public async Task ServiceDefaultsKept_UnavailableInTrailers_StandardHandlerSeesHttp200AndDoesNotRetry()
    {
        // The gRPC status travels in trailers of an HTTP 200 answer: the standard handler has nothing to retry,
        // so it adds no attempts here, yet it is in the chain (see above) with its own timeouts and limits.
        await using var services = Services(removeStandardHandler: false, () => new NonDisposingHandler(host.HttpHandler));
        var client = Client(services);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(OurAttempts));
    }

    [Test]
    public async Task RemoveAllThenAddResilience_ConnectionRefused_OurAttemptsOnlyLeaveTheClient()
    {
        var refusing = new RefusingHandler();
        await using var services = Services(removeStandardHandler: true, () => refusing);
        var client = Client(services);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(refusing.Attempts, Is.EqualTo(OurAttempts));
    }

    [Test]
    public async Task ServiceDefaultsKept_ConnectionRefused_BothLayersRetryAndAttemptsMultiply()
    {
        // A failure the standard handler can see (HttpRequestException) is retried by it inside each of our attempts.
        var refusing = new RefusingHandler();
        await using var services = Services(removeStandardHandler: false, () => refusing);
        var client = Client(services);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(refusing.Attempts, Is.EqualTo(OurAttempts * StandardAttempts), "3 of ours × (1 + 3 retries) of the standard handler");
    }

    private static ProcessRequest Request() => new() { RequestId = "aspire" };

    private static UnstableService.UnstableServiceClient Client(ServiceProvider services) =>
        services.GetRequiredService<GrpcClientFactory>().CreateClient<UnstableService.UnstableServiceClient>(Name);

    /// <summary>The handlers a call of the named client passes through, outermost first.</summary>
    private static List<HttpMessageHandler> Chain(ServiceProvider services)
    {
        var chain = new List<HttpMessageHandler>();
        HttpMessageHandler? handler = services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(Name);
        while (handler is not null)
        {
            chain.Add(handler);
            handler = (handler as DelegatingHandler)?.InnerHandler;
        }

        return chain;
    }

    private ServiceProvider Services(bool removeStandardHandler, Func<HttpMessageHandler> primary)
    {
        var collection = new ServiceCollection();
        collection.AddMetrics().AddLogging();

        // What Aspire's ServiceDefaults project does (Extensions.AddServiceDefaults), service discovery aside. Only the
        // standard retry's delay (2 s, exponential) is shrunk so that the test is fast; its attempt count stays default.
        collection.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler(o => o.Retry.Delay = TimeSpan.FromMilliseconds(1)));

        var builder = collection
            .AddGrpcClient<UnstableService.UnstableServiceClient>(Name, o => o.Address = host.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(primary);
        if (removeStandardHandler)
        {
            // Experimental in Microsoft.Extensions.Http.Resilience 10.x: an app opts in the same way.
#pragma warning disable EXTEXP0001
            builder = builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        }

        builder.AddResilience(o =>
        {
            o.Retry!.MaxAttempts = OurAttempts;
            o.Retry.InitialBackoff = TimeSpan.FromMilliseconds(1);
            o.Retry.MaxBackoff = TimeSpan.FromMilliseconds(5);
        });
        return collection.BuildServiceProvider();
    }

    /// <summary>A transport that cannot connect, as a server that is down; counts what leaves the client.</summary>
    private sealed class RefusingHandler : HttpMessageHandler
    {
        private int attempts;

        public int Attempts => Volatile.Read(ref attempts);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref attempts);
            // What SocketsHttpHandler throws for a refused connection.
            var refused = new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused);
            return Task.FromException<HttpResponseMessage>(
                new HttpRequestException(HttpRequestError.ConnectionError, $"{refused.Message} (127.0.0.1:1)", refused));
        }

        protected override void Dispose(bool disposing)
        {
            // Kept for the test to read; nothing to release.
        }
    }

    /// <summary>Lets the client factory own a handler without disposing the host's shared one.</summary>
    private sealed class NonDisposingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // The host disposes the shared handler.
        }
    }
}
