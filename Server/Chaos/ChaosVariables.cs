namespace ResilientGrpc.Server.Chaos;

/// <summary>The environment variable (configuration key) names of the chaos settings.</summary>
internal static class ChaosVariables
{
    public const string Mode = "CHAOS_MODE";
    public const string ErrorRate = "CHAOS_ERROR_RATE";
    public const string ErrorCodes = "CHAOS_ERROR_CODES";
    public const string ErrorPushback = "CHAOS_ERROR_PUSHBACK";
    public const string HangRate = "CHAOS_HANG_RATE";
    public const string HangSeconds = "CHAOS_HANG_SECONDS";
    public const string OutageEvery = "CHAOS_OUTAGE_EVERY";
    public const string OutageFor = "CHAOS_OUTAGE_FOR";
    public const string Seed = "CHAOS_SEED";
    public const string PerRequest = "CHAOS_PER_REQUEST";
    public const string CapacityHandlers = "CHAOS_CAPACITY_HANDLERS";
    public const string ServiceTime = "CHAOS_SERVICE_TIME";
    public const string ServiceTimeVariation = "CHAOS_SERVICE_TIME_VARIATION";
    public const string CapacityOverflow = "CHAOS_CAPACITY_OVERFLOW";
}
