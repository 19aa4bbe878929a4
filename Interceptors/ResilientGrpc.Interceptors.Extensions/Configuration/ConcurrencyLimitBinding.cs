namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>Reads the <c>ConcurrencyLimit</c> section onto <see cref="ConcurrencyLimitOptions"/>, one known key at a time.</summary>
internal static class ConcurrencyLimitBinding
{
    /// <summary>Reads every known key of the section onto <paramref name="options"/>.</summary>
    public static void Read(ConfigurationReader reader, ConcurrencyLimitOptions options)
    {
        options.Algorithm = reader.Name(nameof(ConcurrencyLimitOptions.Algorithm), options.Algorithm);
        options.InitialLimit = reader.NullableInt(nameof(ConcurrencyLimitOptions.InitialLimit), options.InitialLimit);
        options.MinLimit = reader.Int(nameof(ConcurrencyLimitOptions.MinLimit), options.MinLimit);
        options.MaxLimit = reader.Int(nameof(ConcurrencyLimitOptions.MaxLimit), options.MaxLimit);
        options.BackoffRatio = reader.Double(nameof(ConcurrencyLimitOptions.BackoffRatio), options.BackoffRatio);
        options.LatencyTolerance = reader.Double(nameof(ConcurrencyLimitOptions.LatencyTolerance), options.LatencyTolerance);
        options.MaxQueueWait = reader.Duration(nameof(ConcurrencyLimitOptions.MaxQueueWait), options.MaxQueueWait);
        options.MaxQueueLength = reader.NullableInt(nameof(ConcurrencyLimitOptions.MaxQueueLength), options.MaxQueueLength);
        options.OverloadStatusCodes = reader.StatusCodes(nameof(ConcurrencyLimitOptions.OverloadStatusCodes), options.OverloadStatusCodes);
        reader.ReportUnknownKeys();
    }
}
