namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>
/// Reads the <c>CircuitBreaker</c> section onto <see cref="CircuitBreakerOptions"/>, one known key at a time.
/// <see cref="CircuitBreakerOptions.KeySelector"/> is code, so configuration has no key for it.
/// </summary>
internal static class CircuitBreakerBinding
{
    /// <summary>Reads every known key of the section onto <paramref name="options"/>.</summary>
    public static void Read(ConfigurationReader reader, CircuitBreakerOptions options)
    {
        options.Name = reader.Text(nameof(CircuitBreakerOptions.Name), options.Name);
        options.FailureThreshold = reader.Int(nameof(CircuitBreakerOptions.FailureThreshold), options.FailureThreshold);
        options.AttemptFailureThreshold = reader.NullableInt(nameof(CircuitBreakerOptions.AttemptFailureThreshold), options.AttemptFailureThreshold);
        options.MinimumSilence = reader.Duration(nameof(CircuitBreakerOptions.MinimumSilence), options.MinimumSilence);
        options.BreakDuration = reader.Duration(nameof(CircuitBreakerOptions.BreakDuration), options.BreakDuration);
        options.FailureStatusCodes = reader.StatusCodes(nameof(CircuitBreakerOptions.FailureStatusCodes), options.FailureStatusCodes);
        options.HalfOpenProbes = reader.Int(nameof(CircuitBreakerOptions.HalfOpenProbes), options.HalfOpenProbes);
        options.FailureRatio = reader.NullableDouble(nameof(CircuitBreakerOptions.FailureRatio), options.FailureRatio);
        options.SamplingDuration = reader.Duration(nameof(CircuitBreakerOptions.SamplingDuration), options.SamplingDuration);
        options.MinimumThroughput = reader.Int(nameof(CircuitBreakerOptions.MinimumThroughput), options.MinimumThroughput);
        reader.ReportUnknownKeys();
    }
}
