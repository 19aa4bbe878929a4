using System.Globalization;
using System.Text;
using Grpc.Core;

namespace ResilientGrpc.Server.Chaos;

/// <summary>
/// How the unstable server misbehaves. Each call is decided independently: it fails at once with
/// probability <see cref="ErrorRate"/>, hangs with probability <see cref="HangRate"/>, and otherwise is
/// served. During an outage window every call fails with <c>UNAVAILABLE</c>. With <see cref="CapacityHandlers"/>
/// set, the server also has a fixed capacity: the calls it serves share that many handlers, each busy for
/// <see cref="ServiceTime"/> per call, and the excess is shed or queued (<see cref="Overflow"/>).
/// </summary>
/// <remarks>
/// Every property maps to an environment variable (see <see cref="FromConfiguration"/>). Call
/// <see cref="Validate"/> to check a hand-built instance; the server validates before it listens.
/// </remarks>
public sealed class ChaosOptions
{
    /// <summary>The largest allowed <see cref="HangDuration"/>.</summary>
    public static readonly TimeSpan MaxHangDuration = TimeSpan.FromHours(1);

    /// <summary>The largest allowed <see cref="ServiceTime"/>.</summary>
    public static readonly TimeSpan MaxServiceTime = TimeSpan.FromMinutes(1);

    /// <summary>The largest allowed <see cref="CapacityHandlers"/>.</summary>
    public const int MaxCapacityHandlers = 10_000;

    /// <summary>Gets or sets a value indicating whether chaos is on (<c>CHAOS_MODE</c>).</summary>
    /// <value>The default value is <see langword="false"/>: every call is served normally.</value>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets the probability that a call fails at once (<c>CHAOS_ERROR_RATE</c>).</summary>
    /// <value>The default value is 0.2 (20%). Allowed: 0 to 1, and <c>ErrorRate + HangRate</c> at most 1.</value>
    public double ErrorRate { get; set; } = 0.2;

    /// <summary>Gets or sets the status codes a failing call uses, picked uniformly (<c>CHAOS_ERROR_CODES</c>).</summary>
    /// <value>The default value is <c>[Unavailable]</c>. Must not be empty and must not contain <c>OK</c>.</value>
    public IList<StatusCode> ErrorCodes { get; set; } = [StatusCode.Unavailable];

    /// <summary>
    /// Gets or sets the server pushback sent with every injected failure, errors and outages alike
    /// (<c>CHAOS_ERROR_PUSHBACK</c>): the exact value of the <c>grpc-retry-pushback-ms</c> trailer (gRFC A6).
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/> (no trailer). A non-negative integer such as <c>"100"</c> asks
    /// clients to wait that many milliseconds before their next retry or hedge; a negative or unparseable value
    /// such as <c>"-1"</c> or <c>"soon"</c> asks them to stop retrying and hedging. The value is sent as given, so
    /// it must be a non-empty gRPC metadata value: printable ASCII with no leading or trailing whitespace.
    /// </value>
    public string? ErrorPushback { get; set; }

    /// <summary>Gets or sets the probability that a call hangs before it is served (<c>CHAOS_HANG_RATE</c>).</summary>
    /// <value>The default value is 0.1 (10%). Allowed: 0 to 1, and <c>ErrorRate + HangRate</c> at most 1.</value>
    public double HangRate { get; set; } = 0.1;

    /// <summary>Gets or sets how long a hang lasts unless the caller gives up first (<c>CHAOS_HANG_SECONDS</c>).</summary>
    /// <value>The default value is 5 seconds. Allowed: greater than zero, at most one hour.</value>
    public TimeSpan HangDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the length of the outage cycle, measured from server start (<c>CHAOS_OUTAGE_EVERY</c>).</summary>
    /// <value>The default value is <see langword="null"/> (no outages). Set together with <see cref="OutageFor"/>.</value>
    public TimeSpan? OutageEvery { get; set; }

    /// <summary>Gets or sets how long the outage lasts at the start of every cycle (<c>CHAOS_OUTAGE_FOR</c>).</summary>
    /// <value>The default value is <see langword="null"/> (no outages). Greater than zero and less than <see cref="OutageEvery"/>.</value>
    public TimeSpan? OutageFor { get; set; }

    /// <summary>Gets or sets the seed that makes the sequence of decisions reproducible (<c>CHAOS_SEED</c>).</summary>
    /// <value>The default value is <see langword="null"/> (a random sequence).</value>
    public int? Seed { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether each call's fate is drawn from the seed, the call's request id and how many
    /// calls with that id came before, instead of from one sequence shared by all calls (<c>CHAOS_PER_REQUEST</c>).
    /// </summary>
    /// <remarks>
    /// With it, every client that sends the same requests meets the same fates, attempt by attempt (the first attempt of
    /// request 17 hangs for every client, its second is served), however its concurrent calls interleave: a benchmark then
    /// compares clients on the same luck. The request id is the message's <c>request_id</c>, or the <c>x-request-id</c>
    /// header for streams; calls without one draw from the shared sequence. The server remembers each id's count until
    /// the settings are next applied, so it is meant for benchmarks and tests, not for unbounded distinct ids.
    /// </remarks>
    /// <value>The default value is <see langword="false"/> (one sequence for all calls).</value>
    public bool PerRequestDecisions { get; set; }

    /// <summary>
    /// Gets or sets how many calls the server serves at once, which turns capacity mode on (<c>CHAOS_CAPACITY_HANDLERS</c>).
    /// Every call that chaos lets through then takes one of this many handlers for its <see cref="ServiceTime"/> before it is
    /// answered; a call that finds every handler busy is shed or queued, as <see cref="Overflow"/> says. The capacity is
    /// <c>CapacityHandlers ÷ ServiceTime</c> calls per second: 8 handlers of 20 ms serve 400 calls/s.
    /// </summary>
    /// <remarks>
    /// Like the rest of chaos it applies only while <see cref="Enabled"/>. Injected errors and outages fail at once without
    /// a handler; a hang is spent before the call reaches one. A call that has a handler is served to the end of its service
    /// time even if its caller leaves: the caller's cancellation never gives a handler back early.
    /// </remarks>
    /// <value>The default value is <see langword="null"/>: no capacity limit. Allowed: 1 to 10,000.</value>
    public int? CapacityHandlers { get; set; }

    /// <summary>Gets or sets how long a handler is busy with one call in capacity mode (<c>CHAOS_SERVICE_TIME</c>); the mean when it varies.</summary>
    /// <value>The default value is 20 milliseconds. Allowed: greater than zero, at most one minute.</value>
    public TimeSpan ServiceTime { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Gets or sets how the service time varies from call to call in capacity mode (<c>CHAOS_SERVICE_TIME_VARIATION</c>).</summary>
    /// <value>The default value is <see cref="Chaos.ServiceTimeVariation.Constant"/>.</value>
    public ServiceTimeVariation ServiceTimeVariation { get; set; }

    /// <summary>Gets or sets what capacity mode does with a call that finds every handler busy (<c>CHAOS_CAPACITY_OVERFLOW</c>).</summary>
    /// <value>The default value is <see cref="CapacityOverflow.Shed"/>: refuse it at once with <c>UNAVAILABLE</c>.</value>
    public CapacityOverflow Overflow { get; set; }

    /// <summary>
    /// Reads the <c>CHAOS_*</c> settings from configuration (environment variables and the other usual
    /// ASP.NET Core sources). Missing or empty keys keep their defaults.
    /// </summary>
    /// <param name="configuration">The configuration to read.</param>
    /// <returns>Validated options.</returns>
    /// <exception cref="ChaosConfigurationException">One or more settings are invalid; the message lists them all.</exception>
    public static ChaosOptions FromConfiguration(IConfiguration configuration) => ChaosOptionsParser.Parse(configuration);

    /// <summary>Checks every setting and reports every problem at once.</summary>
    /// <exception cref="ChaosConfigurationException">One or more settings are invalid.</exception>
    public void Validate()
    {
        var problems = new List<ChaosConfigurationProblem>();
        CollectProblems(problems, skip: null);
        if (problems.Count > 0)
        {
            throw new ChaosConfigurationException(problems);
        }
    }

    /// <summary>Adds the problems of this instance, skipping variables that already failed to parse.</summary>
    internal void CollectProblems(List<ChaosConfigurationProblem> problems, ISet<string>? skip)
    {
        bool Check(string variable) => skip is null || !skip.Contains(variable);

        var errorRateValid = CheckRate(problems, Check(ChaosVariables.ErrorRate), ChaosVariables.ErrorRate, ErrorRate);
        var hangRateValid = CheckRate(problems, Check(ChaosVariables.HangRate), ChaosVariables.HangRate, HangRate);
        if (errorRateValid && hangRateValid && ErrorRate + HangRate > 1
            && Check(ChaosVariables.ErrorRate) && Check(ChaosVariables.HangRate))
        {
            problems.Add(new(
                $"{ChaosVariables.ErrorRate}+{ChaosVariables.HangRate}",
                $"{Format(ErrorRate)}+{Format(HangRate)}",
                "the two rates must sum to at most 1"));
        }

        if (Check(ChaosVariables.ErrorCodes))
        {
            CheckErrorCodes(problems);
        }

        if (Check(ChaosVariables.ErrorPushback))
        {
            CheckErrorPushback(problems);
        }

        if (Check(ChaosVariables.HangSeconds) && (HangDuration <= TimeSpan.Zero || HangDuration > MaxHangDuration))
        {
            problems.Add(new(
                ChaosVariables.HangSeconds,
                ChaosDuration.Format(HangDuration),
                "must be greater than zero and at most 1h"));
        }

        if (Check(ChaosVariables.OutageEvery) && Check(ChaosVariables.OutageFor))
        {
            CheckOutage(problems);
        }

        CheckCapacity(problems, Check);
    }

    /// <summary>Creates an independent copy, so later changes by the caller do not reach a running server.</summary>
    internal ChaosOptions Clone() => new()
    {
        Enabled = Enabled,
        ErrorRate = ErrorRate,
        ErrorCodes = [.. ErrorCodes ?? []],
        ErrorPushback = ErrorPushback,
        HangRate = HangRate,
        HangDuration = HangDuration,
        OutageEvery = OutageEvery,
        OutageFor = OutageFor,
        Seed = Seed,
        PerRequestDecisions = PerRequestDecisions,
        CapacityHandlers = CapacityHandlers,
        ServiceTime = ServiceTime,
        ServiceTimeVariation = ServiceTimeVariation,
        Overflow = Overflow,
    };

    private static bool CheckRate(List<ChaosConfigurationProblem> problems, bool check, string variable, double rate)
    {
        var valid = double.IsFinite(rate) && rate is >= 0 and <= 1;
        if (check && !valid)
        {
            problems.Add(new(variable, Format(rate), "must be a number between 0 and 1"));
        }

        return valid;
    }

    private void CheckErrorCodes(List<ChaosConfigurationProblem> problems)
    {
        if (ErrorCodes is null || ErrorCodes.Count == 0)
        {
            problems.Add(new(ChaosVariables.ErrorCodes, "(empty)", "must name at least one gRPC status, e.g. UNAVAILABLE,INTERNAL"));
            return;
        }

        var codes = string.Join(",", ErrorCodes.Select(ChaosStatusCodes.ToName));
        if (ErrorCodes.Contains(StatusCode.OK))
        {
            problems.Add(new(ChaosVariables.ErrorCodes, codes, "OK is not an error; allowed: " + ChaosStatusCodes.AllowedNames));
        }
        else if (ErrorCodes.Any(code => !Enum.IsDefined(code)))
        {
            problems.Add(new(ChaosVariables.ErrorCodes, codes, "unknown status code; allowed: " + ChaosStatusCodes.AllowedNames));
        }
    }

    private void CheckErrorPushback(List<ChaosConfigurationProblem> problems)
    {
        var pushback = ErrorPushback;
        if (pushback is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(pushback))
        {
            problems.Add(new(
                ChaosVariables.ErrorPushback,
                pushback.Length == 0 ? "(empty)" : Quote(pushback),
                "must not be empty or blank; leave it unset to send no grpc-retry-pushback-ms trailer"));
        }
        else if (pushback.Any(c => c is < ' ' or > '~'))
        {
            problems.Add(new(
                ChaosVariables.ErrorPushback,
                Quote(pushback),
                "must be printable ASCII (a gRPC metadata value), e.g. 100 or -1"));
        }
        else if (pushback[0] == ' ' || pushback[^1] == ' ')
        {
            problems.Add(new(
                ChaosVariables.ErrorPushback,
                Quote(pushback),
                "must not start or end with whitespace (it is sent exactly as given)"));
        }
    }

    /// <summary>Shows a value in quotes with control and non-ASCII characters escaped, so it reads unambiguously.</summary>
    private static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }

    private void CheckOutage(List<ChaosConfigurationProblem> problems)
    {
        var every = OutageEvery;
        var duration = OutageFor;
        if (every is null && duration is null)
        {
            return;
        }

        if (every is null || duration is null)
        {
            var (setName, setValue, missing) = every is null
                ? (ChaosVariables.OutageFor, duration!.Value, ChaosVariables.OutageEvery)
                : (ChaosVariables.OutageEvery, every.Value, ChaosVariables.OutageFor);
            problems.Add(new(setName, ChaosDuration.Format(setValue), $"needs {missing} too: set both or neither"));
            return;
        }

        if (every.Value <= TimeSpan.Zero)
        {
            problems.Add(new(ChaosVariables.OutageEvery, ChaosDuration.Format(every.Value), "must be greater than zero"));
        }

        if (duration.Value <= TimeSpan.Zero)
        {
            problems.Add(new(ChaosVariables.OutageFor, ChaosDuration.Format(duration.Value), "must be greater than zero"));
        }
        else if (every.Value > TimeSpan.Zero && duration.Value >= every.Value)
        {
            problems.Add(new(
                ChaosVariables.OutageFor,
                ChaosDuration.Format(duration.Value),
                $"must be less than {ChaosVariables.OutageEvery} ({ChaosDuration.Format(every.Value)})"));
        }
    }

    private void CheckCapacity(List<ChaosConfigurationProblem> problems, Func<string, bool> check)
    {
        if (check(ChaosVariables.CapacityHandlers) && CapacityHandlers is { } handlers && handlers is < 1 or > MaxCapacityHandlers)
        {
            problems.Add(new(
                ChaosVariables.CapacityHandlers,
                handlers.ToString(CultureInfo.InvariantCulture),
                $"must be a whole number of handlers between 1 and {MaxCapacityHandlers}"));
        }

        if (check(ChaosVariables.ServiceTime) && (ServiceTime <= TimeSpan.Zero || ServiceTime > MaxServiceTime))
        {
            problems.Add(new(ChaosVariables.ServiceTime, ChaosDuration.Format(ServiceTime), "must be greater than zero and at most 1m"));
        }

        if (check(ChaosVariables.ServiceTimeVariation) && !Enum.IsDefined(ServiceTimeVariation))
        {
            problems.Add(new(ChaosVariables.ServiceTimeVariation, ServiceTimeVariation.ToString(), "must be constant or exponential"));
        }

        if (check(ChaosVariables.CapacityOverflow) && !Enum.IsDefined(Overflow))
        {
            problems.Add(new(ChaosVariables.CapacityOverflow, Overflow.ToString(), "must be shed or queue"));
        }
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
