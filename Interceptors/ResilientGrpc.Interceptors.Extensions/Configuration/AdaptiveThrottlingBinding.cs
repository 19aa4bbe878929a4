namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>Reads the <c>AdaptiveThrottling</c> section onto <see cref="AdaptiveThrottlingOptions"/>, one known key at a time.</summary>
internal static class AdaptiveThrottlingBinding
{
    /// <summary>
    /// A section with keys turns adaptive throttling on, starting from the defaults of <see cref="AdaptiveThrottlingOptions"/>
    /// (or the options already set), and reads every known key onto it.
    /// </summary>
    public static void Read(ConfigurationReader reader, ResilienceOptions options)
    {
        if (!reader.HasKeys)
        {
            return;
        }

        var throttling = options.AdaptiveThrottling ??= new AdaptiveThrottlingOptions();
        throttling.Multiplier = reader.Double(nameof(AdaptiveThrottlingOptions.Multiplier), throttling.Multiplier);
        throttling.Window = reader.Duration(nameof(AdaptiveThrottlingOptions.Window), throttling.Window);
        throttling.OverloadStatusCodes = reader.StatusCodes(nameof(AdaptiveThrottlingOptions.OverloadStatusCodes), throttling.OverloadStatusCodes);
        reader.ReportUnknownKeys();
    }
}
