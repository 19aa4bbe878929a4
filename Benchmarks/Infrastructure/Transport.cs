namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>How a benchmark reaches the chaos server.</summary>
public enum Transport
{
    /// <summary>ASP.NET Core's TestServer: HTTP/2 semantics in memory, no sockets.</summary>
    InMemory,

    /// <summary>Kestrel on 127.0.0.1, HTTP/2 without TLS.</summary>
    Kestrel,
}
