namespace ResilientGrpc.Tests.Dispose;

/// <summary>The async call kinds a caller can dispose.</summary>
public enum CallKind
{
    Unary,
    ServerStreaming,
    ClientStreaming,
    Duplex,
}
