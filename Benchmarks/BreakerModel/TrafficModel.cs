namespace ResilientGrpc.Benchmarks.BreakerModel;

/// <summary>
/// Calls at a fixed rate through the default policy (2 s attempt deadline, 3 attempts, 1 s → 2 s backoff ±20 %),
/// each attempt failing at once with UNAVAILABLE with probability <c>errors</c> (retried) or hanging until its
/// deadline with probability <c>hangs</c> (DEADLINE_EXCEEDED, not retried). Discrete events on virtual time,
/// every rule fed the same stream.
/// </summary>
internal sealed class TrafficModel(double callsPerSecond, double errors, double hangs, int seed)
{
    private const double Deadline = 2.0;
    private const double Latency = 0.001;
    private const int MaxAttempts = 3;
    private readonly Random random = new(seed);
    private readonly PriorityQueue<Event, double> events = new();

    /// <summary>Runs <paramref name="seconds"/> of traffic; returns how often each rule opened, and the calls made.</summary>
    public (int[] Openings, long Calls, long Attempts) Run(OpeningRule[] rules, double seconds)
    {
        var openings = new int[rules.Length];
        long calls = 0, attempts = 0;
        for (var i = 0; ; i++)
        {
            var start = i / callsPerSecond;
            if (start >= seconds)
            {
                break;
            }

            events.Enqueue(new Event(start, start, 1), start);
        }

        while (events.TryDequeue(out var e, out var now))
        {
            if (e.Ending is null)
            {
                attempts++;
                calls += e.Attempt == 1 ? 1 : 0;
                var draw = random.NextDouble();
                var (end, outcome) = draw < hangs ? (now + Deadline, Outcome.Hung) : draw < hangs + errors ? (now + Latency, Outcome.Unavailable) : (now + Latency, Outcome.Ok);
                events.Enqueue(e with { Ending = outcome }, end);
                continue;
            }

            var failed = e.Ending != Outcome.Ok;
            var retry = e.Ending == Outcome.Unavailable && e.Attempt < MaxAttempts;
            for (var r = 0; r < rules.Length; r++)
            {
                if (rules[r].OnAttempt(failed, now) | (!retry && rules[r].OnCall(failed, e.CallStart, now)))
                {
                    openings[r]++;
                    rules[r].Reset();
                }
            }

            if (retry)
            {
                var backoff = Math.Pow(2, e.Attempt - 1) * (0.8 + (0.4 * random.NextDouble()));
                events.Enqueue(new Event(e.CallStart, now + backoff, e.Attempt + 1), now + backoff);
            }
        }

        return (openings, calls, attempts);
    }

    /// <summary>
    /// A full outage from time 0 (every attempt fails at once): for each rule, how many attempts reached the dead
    /// server, and how long it took, until the rule opened.
    /// </summary>
    public (long Attempts, double Seconds)[] Outage(OpeningRule[] rules, double seconds)
    {
        var result = new (long, double)[rules.Length];
        Array.Fill(result, (-1L, double.NaN));
        long attempts = 0;
        for (var i = 0; i / callsPerSecond < seconds; i++)
        {
            events.Enqueue(new Event(i / callsPerSecond, i / callsPerSecond, 1), i / callsPerSecond);
        }

        while (events.TryDequeue(out var e, out var now))
        {
            if (e.Ending is null)
            {
                attempts++;
                events.Enqueue(e with { Ending = Outcome.Unavailable }, now + Latency);
                continue;
            }

            var retry = e.Attempt < MaxAttempts;
            for (var r = 0; r < rules.Length; r++)
            {
                if (result[r].Item1 < 0 && (rules[r].OnAttempt(true, now) | (!retry && rules[r].OnCall(true, e.CallStart, now))))
                {
                    result[r] = (attempts, now);
                }
            }

            if (retry)
            {
                var backoff = Math.Pow(2, e.Attempt - 1) * (0.8 + (0.4 * random.NextDouble()));
                events.Enqueue(new Event(e.CallStart, now + backoff, e.Attempt + 1), now + backoff);
            }
        }

        return result;
    }

    private enum Outcome
    {
        Ok,
        Unavailable,
        Hung,
    }

    /// <summary>An attempt starting (no <see cref="Ending"/>) or ending.</summary>
    private sealed record Event(double CallStart, double AttemptStart, int Attempt, Outcome? Ending = null);
}
