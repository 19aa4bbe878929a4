namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>Reads the <c>Deadline</c> section onto <see cref="DeadlineOptions"/>, one known key at a time.</summary>
internal static class DeadlineBinding
{
    /// <summary>Reads every known key of the section onto <paramref name="options"/>.</summary>
    public static void Read(ConfigurationReader reader, DeadlineOptions options)
    {
        options.Timeout = reader.Duration(nameof(DeadlineOptions.Timeout), options.Timeout);
        options.MethodTimeouts = reader.Durations(nameof(DeadlineOptions.MethodTimeouts), options.MethodTimeouts);
        options.StreamIdleTimeouts = reader.Durations(nameof(DeadlineOptions.StreamIdleTimeouts), options.StreamIdleTimeouts);
        reader.ReportUnknownKeys();
    }
}
