namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>The two kinds of call the soak makes.</summary>
internal enum CallKind
{
    /// <summary>A unary <c>Process</c> call.</summary>
    Unary,

    /// <summary>A server-streaming <c>Subscribe</c> call, read to its end.</summary>
    Stream,
}
