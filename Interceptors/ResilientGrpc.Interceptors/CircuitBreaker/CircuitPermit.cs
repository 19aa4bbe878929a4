namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>What a call was admitted as; an outcome from a generation the circuit has since left is stale and ignored.</summary>
internal readonly record struct CircuitPermit(int Generation, bool IsProbe)
{
    /// <summary>The permit, and whether the attempt's caller had given up before it left, as one watch token.</summary>
    public long Pack(bool callerGaveUp) => ((long)(uint)Generation << 2) | (IsProbe ? 2L : 0L) | (callerGaveUp ? 1L : 0L);

    /// <summary>The permit a watch token was made of by <see cref="Pack"/>.</summary>
    public static CircuitPermit Unpack(long token, out bool callerGaveUp)
    {
        callerGaveUp = (token & 1) != 0;
        return new CircuitPermit((int)(uint)(token >> 2), (token & 2) != 0);
    }
}
