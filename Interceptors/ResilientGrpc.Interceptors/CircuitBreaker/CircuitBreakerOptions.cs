using System.Collections.Frozen;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>Settings of a <see cref="CircuitBreakerInterceptor"/>, validated and copied when it is constructed: later changes do not affect it.</summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>The longest <see cref="BreakDuration"/> and <see cref="SamplingDuration"/> accepted.</summary>
    internal static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    /// <summary>The <see cref="Name"/> a breaker has unless one is given.</summary>
    public const string DefaultName = "default";

    /// <summary>
    /// The name of the breaker, carried by its events, errors, logs and metrics (tag <c>breaker</c>). Registered with
    /// the client factory's <c>AddResilience</c>, a breaker left at the default takes the client's name.
    /// </summary>
    /// <value>The default value is <c>"default"</c>. Must not be empty or white space.</value>
    public string Name { get; set; } = DefaultName;

    /// <summary>
    /// Consecutive mode (<see cref="FailureRatio"/> null): the failed calls in a row that open the circuit. A call fails
    /// when its last attempt fails (one a retry rescues succeeds); "in a row" means each was made after the previous one
    /// failed, as a caller making one call at a time sees it, and any success restarts the count. Concurrent failures
    /// are caught by <see cref="AttemptFailureThreshold"/>.
    /// </summary>
    /// <value>The default value is 5. Must be at least 1.</value>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>
    /// Consecutive mode: the failed attempts in a row, concurrent or not, that open the circuit, so an outage under load
    /// is caught within a fraction of a second, long before a retried call has used up its attempts. Any successful
    /// attempt restarts the count. Null derives it per call: <see cref="FailureThreshold"/> × the
    /// <see cref="RetryOptions.MaxAttempts"/> of the retry above (15 with the defaults), or <see cref="FailureThreshold"/>.
    /// </summary>
    /// <value>The default value is null (derived as described). When set, must be at least <see cref="FailureThreshold"/>.</value>
    public int? AttemptFailureThreshold { get; set; }

    /// <summary>
    /// Consecutive mode: how long the server must have answered no attempt successfully before failed attempts in a row
    /// (<see cref="AttemptFailureThreshold"/>) open the circuit, counted from the first failure after the last success.
    /// It is the line between an overloaded server and a dead one: an overloaded server refuses part of what a busy client
    /// sends but keeps answering the rest at its capacity, so successes break every run of failures within a fraction of a
    /// second, however many failures land in between; a dead one answers nothing. Failed calls in a row
    /// (<see cref="FailureThreshold"/>) open the circuit without it. Set it above the longest gap between your server's
    /// answers under load.
    /// </summary>
    /// <value>The default value is 250 milliseconds. Must be at least zero (zero: the threshold alone decides) and at most one day.</value>
    public TimeSpan MinimumSilence { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the circuit stays open before it lets probe calls through (half-open).</summary>
    /// <value>The default value is 30 seconds. Must be greater than zero and at most one day.</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The final statuses that count as failures. Any other completed status counts as a success, except
    /// <see cref="StatusCode.Cancelled"/> and calls the caller cancelled, which count as neither.
    /// </summary>
    /// <value>
    /// The default value is {Unavailable, DeadlineExceeded, Internal, Unknown, ResourceExhausted, DataLoss}.
    /// Must not be empty and must not contain OK or Cancelled.
    /// </value>
    public ISet<StatusCode> FailureStatusCodes { get; set; } = new HashSet<StatusCode>(DefaultFailureStatusCodes);

    /// <summary>
    /// The final statuses a server or the network causes, not the client: the default of <see cref="FailureStatusCodes"/>
    /// and of outlier detection's failure set.
    /// </summary>
    public static IReadOnlySet<StatusCode> DefaultFailureStatusCodes { get; } = new HashSet<StatusCode>
    {
        StatusCode.Unavailable,
        StatusCode.DeadlineExceeded,
        StatusCode.Internal,
        StatusCode.Unknown,
        StatusCode.ResourceExhausted,
        StatusCode.DataLoss,
    }.ToFrozenSet();

    /// <summary>
    /// How many probe calls the half-open circuit lets through; concurrent callers are rejected meanwhile. The
    /// circuit closes when all of them succeed and opens again on the first that fails.
    /// </summary>
    /// <value>The default value is 1. Must be at least 1.</value>
    public int HalfOpenProbes { get; set; } = 1;

    /// <summary>
    /// Ratio mode when set: the circuit opens when failed calls / calls over the last <see cref="SamplingDuration"/>
    /// reach this ratio, once at least <see cref="MinimumThroughput"/> calls were counted. Calls count as in consecutive
    /// mode (a call a retry rescues succeeds; a retried attempt is not counted). Null selects consecutive mode.
    /// </summary>
    /// <value>The default value is null (consecutive mode). When set, must be greater than 0 and at most 1.</value>
    public double? FailureRatio { get; set; }

    /// <summary>Ratio mode: the sliding window calls are counted over, as 10 buckets (so it covers 90% to 100% of this duration).</summary>
    /// <value>The default value is 30 seconds. Must be greater than zero and at most one day.</value>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Ratio mode: the fewest calls in the window before the ratio can open the circuit.</summary>
    /// <value>The default value is 10. Must be at least 2.</value>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>
    /// Gives each key its own breaker (for example <c>method =&gt; method.FullName</c> for one breaker per method).
    /// Keys should come from a small, fixed set: a breaker is kept for every key seen.
    /// </summary>
    /// <value>The default value is null: one breaker for every call through the interceptor.</value>
    public Func<IMethod, string>? KeySelector { get; set; }

    /// <summary>Checks every setting and reports all invalid ones at once.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid; the message names each with its allowed range.</exception>
    public void Validate() => OptionsProblems.ThrowIfInvalid(nameof(CircuitBreakerOptions), Validate);

    internal void Validate(OptionsProblems problems)
    {
        problems.Check(!string.IsNullOrWhiteSpace(Name), nameof(Name), Name, "it must not be empty");
        problems.Check(FailureThreshold >= 1, nameof(FailureThreshold), FailureThreshold, "it must be at least 1");
        problems.Check(
            AttemptFailureThreshold is null || AttemptFailureThreshold >= Math.Max(1, FailureThreshold),
            nameof(AttemptFailureThreshold),
            AttemptFailureThreshold,
            $"it must be null or at least {nameof(FailureThreshold)} ({FailureThreshold})");
        problems.Check(IsDuration(BreakDuration), nameof(BreakDuration), BreakDuration, "it must be greater than zero and at most 1 day");
        problems.Check(
            MinimumSilence >= TimeSpan.Zero && MinimumSilence <= MaxDuration, nameof(MinimumSilence), MinimumSilence, "it must be at least zero and at most 1 day");
        problems.CheckFailureStatusCodes(FailureStatusCodes, nameof(FailureStatusCodes));
        problems.Check(HalfOpenProbes >= 1, nameof(HalfOpenProbes), HalfOpenProbes, "it must be at least 1");
        problems.Check(FailureRatio is null or (> 0 and <= 1), nameof(FailureRatio), FailureRatio, "it must be null or greater than 0 and at most 1");
        problems.Check(IsDuration(SamplingDuration), nameof(SamplingDuration), SamplingDuration, "it must be greater than zero and at most 1 day");
        problems.Check(MinimumThroughput >= 2, nameof(MinimumThroughput), MinimumThroughput, "it must be at least 2");
    }

    private static bool IsDuration(TimeSpan value) => value > TimeSpan.Zero && value <= MaxDuration;
}
