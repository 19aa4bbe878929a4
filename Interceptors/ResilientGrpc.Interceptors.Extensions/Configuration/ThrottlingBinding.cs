namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>Binds a <c>Throttling</c> section, the retry budget of retry or of hedging.</summary>
internal static class ThrottlingBinding
{
    /// <summary>
    /// The budget a <c>Throttling</c> section describes: a section with keys turns it on, starting from
    /// <paramref name="current"/> or the defaults; an empty one leaves <paramref name="current"/> as it is.
    /// </summary>
    public static RetryThrottlingOptions? Read(ConfigurationReader reader, RetryThrottlingOptions? current)
    {
        if (!reader.HasKeys)
        {
            return current;
        }

        var throttling = current ?? new RetryThrottlingOptions();
        throttling.MaxTokens = reader.Int(nameof(RetryThrottlingOptions.MaxTokens), throttling.MaxTokens);
        throttling.TokenRatio = reader.Double(nameof(RetryThrottlingOptions.TokenRatio), throttling.TokenRatio);
        reader.ReportUnknownKeys();
        return throttling;
    }
}
