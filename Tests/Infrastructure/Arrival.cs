using System.Collections.Concurrent;
using Grpc.Core;

namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>One call as the network below the interceptors received it.</summary>
internal sealed class Arrival
{
    private int disposed;

    /// <summary>1 for the first call the invoker received, 2 for the second, ...</summary>
    public required int Number { get; init; }

    /// <summary>The full method name, e.g. <c>/unstable.v1.UnstableService/Process</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The call options the interceptors passed down.</summary>
    public required CallOptions Options { get; init; }

    /// <summary>The request of a unary or server-streaming call.</summary>
    public object? Request { get; init; }

    /// <summary>Messages written by a client-streaming or duplex caller.</summary>
    public ConcurrentQueue<object> WrittenMessages { get; } = new();

    /// <summary>The deadline the call carried, if any.</summary>
    public DateTime? Deadline => Options.Deadline;

    /// <summary>Whether the caller (or an interceptor) disposed the call.</summary>
    public bool IsDisposed => Volatile.Read(ref disposed) == 1;

    /// <summary>The value of request header <paramref name="key"/>, or null.</summary>
    public string? Header(string key) => Options.Headers?.GetValue(key);

    internal void MarkDisposed() => Interlocked.Exchange(ref disposed, 1);
}
