namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>Reads the <c>Retry</c> section onto <see cref="RetryOptions"/>, one known key at a time.</summary>
internal static class RetryBinding
{
    /// <summary>Reads every known key of the section onto <paramref name="options"/>.</summary>
    public static void Read(ConfigurationReader reader, RetryOptions options)
    {
        options.MaxAttempts = reader.Int(nameof(RetryOptions.MaxAttempts), options.MaxAttempts);
        options.InitialBackoff = reader.Duration(nameof(RetryOptions.InitialBackoff), options.InitialBackoff);
        options.BackoffMultiplier = reader.Double(nameof(RetryOptions.BackoffMultiplier), options.BackoffMultiplier);
        options.MaxBackoff = reader.Duration(nameof(RetryOptions.MaxBackoff), options.MaxBackoff);
        options.JitterFactor = reader.Double(nameof(RetryOptions.JitterFactor), options.JitterFactor);
        options.RetryableStatusCodes = reader.StatusCodes(nameof(RetryOptions.RetryableStatusCodes), options.RetryableStatusCodes);
        options.HonorServerPushback = reader.Boolean(nameof(RetryOptions.HonorServerPushback), options.HonorServerPushback);
        options.Throttling = ThrottlingBinding.Read(reader.Section(nameof(RetryOptions.Throttling)), options.Throttling);
        options.NonRetryableMethods = reader.Names(nameof(RetryOptions.NonRetryableMethods), options.NonRetryableMethods);
        reader.ReportUnknownKeys();
    }
}
