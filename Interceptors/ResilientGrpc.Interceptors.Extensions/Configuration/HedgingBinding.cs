namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>Reads the <c>Hedging</c> section onto <see cref="HedgingOptions"/>, one known key at a time.</summary>
internal static class HedgingBinding
{
    /// <summary>
    /// A <c>Hedging</c> section with keys turns hedging on, starting from the defaults of <see cref="HedgingOptions"/>
    /// (or the options already set), and reads every known key onto it.
    /// </summary>
    public static void Read(ConfigurationReader reader, ResilienceOptions options)
    {
        if (!reader.HasKeys)
        {
            return;
        }

        var hedging = options.Hedging ??= new HedgingOptions();
        hedging.HedgedMethods = reader.Names(nameof(HedgingOptions.HedgedMethods), hedging.HedgedMethods);
        hedging.MaxAttempts = reader.Int(nameof(HedgingOptions.MaxAttempts), hedging.MaxAttempts);
        hedging.Delay = reader.Duration(nameof(HedgingOptions.Delay), hedging.Delay);
        hedging.MethodDelays = reader.Durations(nameof(HedgingOptions.MethodDelays), hedging.MethodDelays);
        hedging.NonFatalStatusCodes = reader.StatusCodes(nameof(HedgingOptions.NonFatalStatusCodes), hedging.NonFatalStatusCodes);
        hedging.Throttling = ThrottlingBinding.Read(reader.Section(nameof(HedgingOptions.Throttling)), hedging.Throttling);
        reader.ReportUnknownKeys();
    }
}
