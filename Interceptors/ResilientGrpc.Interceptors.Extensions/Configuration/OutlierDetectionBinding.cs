namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>Reads an <c>OutlierDetection</c> section onto <see cref="OutlierDetectionOptions"/>, one known key at a time.</summary>
internal static class OutlierDetectionBinding
{
    /// <summary>Reads every known key of the section onto <paramref name="options"/>, recording every key it cannot use.</summary>
    public static void Read(ConfigurationReader reader, OutlierDetectionOptions options)
    {
        options.ConsecutiveFailures = reader.NullableInt(nameof(OutlierDetectionOptions.ConsecutiveFailures), options.ConsecutiveFailures);
        options.FailurePercentageThreshold = reader.NullableInt(nameof(OutlierDetectionOptions.FailurePercentageThreshold), options.FailurePercentageThreshold);
        options.MinimumHosts = reader.Int(nameof(OutlierDetectionOptions.MinimumHosts), options.MinimumHosts);
        options.RequestVolume = reader.Int(nameof(OutlierDetectionOptions.RequestVolume), options.RequestVolume);
        options.Interval = reader.Duration(nameof(OutlierDetectionOptions.Interval), options.Interval);
        options.BaseEjectionTime = reader.Duration(nameof(OutlierDetectionOptions.BaseEjectionTime), options.BaseEjectionTime);
        options.MaxEjectionTime = reader.Duration(nameof(OutlierDetectionOptions.MaxEjectionTime), options.MaxEjectionTime);
        options.MaxEjectionPercent = reader.Int(nameof(OutlierDetectionOptions.MaxEjectionPercent), options.MaxEjectionPercent);
        options.FailureStatusCodes = reader.StatusCodes(nameof(OutlierDetectionOptions.FailureStatusCodes), options.FailureStatusCodes);
        reader.ReportUnknownKeys();
    }
}
