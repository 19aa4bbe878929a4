namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Conversions between <see cref="TimeSpan"/> and <see cref="TimeProvider"/> timestamp units.</summary>
internal static class Timestamps
{
    /// <summary><paramref name="span"/> in the timestamp units of <paramref name="time"/>, rounded up.</summary>
    public static long FromTimeSpan(TimeSpan span, TimeProvider time)
    {
        var frequency = time.TimestampFrequency;
        return frequency == TimeSpan.TicksPerSecond
            ? span.Ticks
            : (long)(((Int128)span.Ticks * frequency + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond);
    }
}
