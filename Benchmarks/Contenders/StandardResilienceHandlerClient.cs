using Microsoft.Extensions.DependencyInjection;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// The peer .NET Aspire installs on every client: the gRPC client factory's HttpClient with Microsoft.Extensions.Http.Resilience's
/// <c>AddStandardResilienceHandler()</c> and all its defaults (rate limiter 1000, total timeout 30 s, 3 retries from 2 s with
/// jitter on HTTP 5xx/408/429 and <c>HttpRequestException</c>, breaker at 10 % failures over 100 calls in 30 s with a 5 s
/// break, attempt timeout 10 s). The only setting made is the address; the primary handler is the factory's default.
/// </summary>
public sealed class StandardResilienceHandlerClient : IDisposable
{
    private readonly ServiceProvider services;

    /// <summary>Builds a container with the client registered for <paramref name="address"/> and resolves the client once.</summary>
    public StandardResilienceHandlerClient(Uri address)
    {
        var collection = new ServiceCollection();
        _ = collection.AddGrpcClient<UnstableService.UnstableServiceClient>(o => o.Address = address).AddStandardResilienceHandler();
        services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        Client = services.GetRequiredService<UnstableService.UnstableServiceClient>();
    }

    /// <summary>Gets the client, on the factory's channel through the handler.</summary>
    public UnstableService.UnstableServiceClient Client { get; }

    /// <summary>Disposes the container, and with it the factory's handlers.</summary>
    public void Dispose() => services.Dispose();
}
