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
        ReadThrottling(reader.Section(nameof(RetryOptions.Throttling)), options);
        options.NonRetryableMethods = reader.Names(nameof(RetryOptions.NonRetryableMethods), options.NonRetryableMethods);
        reader.ReportUnknownKeys();
    }

    /// <summary>A <c>Throttling</c> section with keys turns the retry budget on, starting from its defaults.</summary>
    private static void ReadThrottling(ConfigurationReader reader, RetryOptions options)
    {
        if (!reader.HasKeys)
        {
            return;
        }

        var throttling = options.Throttling ??= new RetryThrottlingOptions();
        throttling.MaxTokens = reader.Int(nameof(RetryThrottlingOptions.MaxTokens), throttling.MaxTokens);
        throttling.TokenRatio = reader.Double(nameof(RetryThrottlingOptions.TokenRatio), throttling.TokenRatio);
        reader.ReportUnknownKeys();
    }
}
