using BenchmarkDotNet.Attributes;
using Grpc.Net.Client;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// What the benchmarks of a real call share: the benchmark server on <see cref="Transport"/>, the channels made to it
/// (disposed with it after the run), and one awaited <c>Process</c> call.
/// </summary>
public abstract class RealServerBenchmark
{
    private readonly List<GrpcChannel> channels = [];

    [Params(Transport.InMemory, Transport.Kestrel)]
    public Transport Transport { get; set; }

    /// <summary>Gets the server the benchmark's clients call; started by <see cref="StartServer"/>.</summary>
    protected BenchmarkServer Server { get; private set; } = null!;

    [GlobalCleanup]
    public virtual void Cleanup()
    {
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        Server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Makes one <c>Process</c> call through <paramref name="client"/> and waits for its reply.</summary>
    protected static async Task<ProcessReply> Call(UnstableService.UnstableServiceClient client)
    {
        using var call = client.ProcessAsync(Clients.Request);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>Starts the server on <see cref="Transport"/>.</summary>
    protected void StartServer() => Server = BenchmarkServer.StartAsync(Transport).GetAwaiter().GetResult();

    /// <summary>A new channel to the server, disposed at cleanup.</summary>
    protected GrpcChannel Channel(GrpcChannelOptions? options = null)
    {
        var channel = Server.CreateChannel(options);
        channels.Add(channel);
        return channel;
    }
}
