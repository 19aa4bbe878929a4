using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Settings of per-endpoint outlier detection under client-side load balancing (gRFC A50, with the breaker's rules):
/// when one endpoint of a channel keeps failing, it is ejected from the balancer's picks for a while instead of the
/// whole channel being broken. Validated and copied when the detector is built.
/// </summary>
public sealed class OutlierDetectionOptions
{
    /// <summary>The longest <see cref="Interval"/>, <see cref="BaseEjectionTime"/> and <see cref="MaxEjectionTime"/> accepted.</summary>
    internal static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    /// <summary>
    /// The number of failed attempts in a row to one endpoint that ejects it, as the circuit breaker's
    /// <see cref="CircuitBreakerOptions.FailureThreshold"/> counts them: any success starts the count again. Null turns
    /// the rule off.
    /// </summary>
    /// <value>The default value is 5, the breaker's. When set, must be at least 1.</value>
    public int? ConsecutiveFailures { get; set; } = 5;

    /// <summary>
    /// The failure percentage over one <see cref="Interval"/> above which an endpoint is ejected (gRFC A50's
    /// <c>failure_percentage_ejection</c>), once it has carried <see cref="RequestVolume"/> attempts in that interval and
    /// at least <see cref="MinimumHosts"/> endpoints have. Catches an endpoint that fails often but not always in a row.
    /// Null turns the rule off.
    /// </summary>
    /// <value>The default value is 50. When set, must be between 1 and 100.</value>
    public int? FailurePercentageThreshold { get; set; } = 50;

    /// <summary>How many endpoints must have carried <see cref="RequestVolume"/> attempts in an interval for the failure-percentage rule to judge any.</summary>
    /// <value>The default value is 2 (A50's 5 would never judge a fleet of 3). Must be at least 1.</value>
    public int MinimumHosts { get; set; } = 2;

    /// <summary>How many attempts an endpoint must have carried in one interval for the failure-percentage rule to judge it.</summary>
    /// <value>The default value is 20. Must be at least 1.</value>
    public int RequestVolume { get; set; } = 20;

    /// <summary>How often the failure-percentage rule sweeps the endpoints, and the window it judges.</summary>
    /// <value>The default value is 10 seconds (gRFC A50). Must be greater than zero and at most 1 day.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a first ejection lasts. An endpoint ejected again lasts this times the number of its ejections in a row,
    /// up to <see cref="MaxEjectionTime"/>; the count falls back by one for each interval it stays healthy.
    /// </summary>
    /// <value>The default value is 30 seconds, the breaker's break. Must be greater than zero and at most 1 day.</value>
    public TimeSpan BaseEjectionTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest an ejection lasts, however often the endpoint was ejected.</summary>
    /// <value>The default value is 300 seconds (gRFC A50). Must be at least <see cref="BaseEjectionTime"/> and at most 1 day.</value>
    public TimeSpan MaxEjectionTime { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// The largest share of the endpoints that may be ejected at once, in percent; an ejection that would pass it is not
    /// enforced (and counted as such). At least one endpoint is always kept, whatever the share.
    /// </summary>
    /// <value>
    /// The default value is 50: of 3 replicas one may be ejected (two would be 67 %), of 10 five. gRFC A50's 10 % would
    /// eject none of 3. A fleet losing more than half its endpoints is failing as a whole, which is the circuit
    /// breaker's job; and the half that is left carries at most twice its load. Must be between 1 and 100.
    /// </value>
    public int MaxEjectionPercent { get; set; } = 50;

    /// <summary>
    /// The status codes that count as an endpoint's failure, as the circuit breaker's
    /// <see cref="CircuitBreakerOptions.FailureStatusCodes"/> do: codes the client causes (<c>INVALID_ARGUMENT</c>,
    /// <c>NOT_FOUND</c>, ...) say nothing of the endpoint. A transport failure (no gRPC status: the connection failed or
    /// was reset, or a non-200 HTTP status) always counts; a call the caller cancelled never does.
    /// </summary>
    /// <value>
    /// The default value is the breaker's: <c>UNAVAILABLE</c>, <c>DEADLINE_EXCEEDED</c>, <c>INTERNAL</c>,
    /// <c>UNKNOWN</c>, <c>RESOURCE_EXHAUSTED</c> and <c>DATA_LOSS</c>. Must not be empty, and must not hold <c>OK</c>
    /// or <c>CANCELLED</c>.
    /// </value>
    public ISet<StatusCode> FailureStatusCodes { get; set; } = new HashSet<StatusCode>(CircuitBreakerOptions.DefaultFailureStatusCodes);

    /// <summary>Checks every setting and throws one exception naming each invalid one.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid.</exception>
    public void Validate()
    {
        var problems = OptionsProblems.InCode();
        Validate(problems.Scope(nameof(OutlierDetectionOptions)));
        problems.ThrowIfAny(nameof(OutlierDetectionOptions));
    }

    /// <summary>Records every invalid setting in <paramref name="problems"/>, scoped to these options.</summary>
    internal void Validate(OptionsProblems problems)
    {
        problems.Check(ConsecutiveFailures is null or >= 1, nameof(ConsecutiveFailures), ConsecutiveFailures, "it must be null or at least 1");
        problems.Check(FailurePercentageThreshold is null or (>= 1 and <= 100), nameof(FailurePercentageThreshold), FailurePercentageThreshold, "it must be null or between 1 and 100");
        problems.Check(MinimumHosts >= 1, nameof(MinimumHosts), MinimumHosts, "it must be at least 1");
        problems.Check(RequestVolume >= 1, nameof(RequestVolume), RequestVolume, "it must be at least 1");
        problems.Check(IsDuration(Interval), nameof(Interval), Interval, "it must be greater than zero and at most 1 day");
        problems.Check(IsDuration(BaseEjectionTime), nameof(BaseEjectionTime), BaseEjectionTime, "it must be greater than zero and at most 1 day");
        problems.Check(
            IsDuration(MaxEjectionTime) && MaxEjectionTime >= BaseEjectionTime,
            nameof(MaxEjectionTime),
            MaxEjectionTime,
            "it must be at least BaseEjectionTime and at most 1 day");
        problems.Check(MaxEjectionPercent is >= 1 and <= 100, nameof(MaxEjectionPercent), MaxEjectionPercent, "it must be between 1 and 100");
        problems.CheckFailureStatusCodes(FailureStatusCodes, nameof(FailureStatusCodes));
    }

    private static bool IsDuration(TimeSpan value) => value > TimeSpan.Zero && value <= MaxDuration;
}
