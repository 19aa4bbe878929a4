namespace ResilientGrpc.Benchmarks.BreakerModel;

/// <summary>The candidates of the partial-failure design, each as the rule alone (no break, no probe).</summary>
internal static class Rules
{
    /// <summary>Every rule, with the library's default thresholds (5 failures, 3 attempts per call).</summary>
    public static OpeningRule[] All() =>
    [
        new ConsecutiveAttempts("A. 5 failed attempts in a row (the old rule)", 5),
        new ConsecutiveCalls("B. 5 failed calls in a row", 5, chained: false, attemptThreshold: null),
        new ConsecutiveCalls("C. B, or 15 failed attempts in a row", 5, chained: false, attemptThreshold: 15),
        new ConsecutiveCalls("D. C, calls in a row = each made after the last counted one failed (chosen)", 5, chained: true, attemptThreshold: 15),
        new TimedAttempts("E. 5 failed attempts in a row spanning at least 1 s", 5, span: 1.0),
        new Ratio("F. ratio of failed calls ≥ 50 % over 30 s, at least 10 calls", 0.5, 10, window: 30),
    ];

    /// <summary>Rule A: the old per-attempt count.</summary>
    private sealed class ConsecutiveAttempts(string name, int threshold) : OpeningRule(name)
    {
        private int run;

        public override bool OnAttempt(bool failed, double now) => (run = failed ? run + 1 : 0) >= threshold;

        public override void Reset() => run = 0;
    }

    /// <summary>Rules B, C, D: failed calls in a row (optionally chained in time), optionally or failed attempts in a row.</summary>
    private sealed class ConsecutiveCalls(string name, int threshold, bool chained, int? attemptThreshold) : OpeningRule(name)
    {
        private int calls;
        private int attempts;
        private double runEnd = double.NegativeInfinity;

        public override bool OnAttempt(bool failed, double now)
        {
            if (!failed)
            {
                Reset();
                return false;
            }

            attempts++;
            return attemptThreshold is { } t && attempts >= t;
        }

        public override bool OnCall(bool failed, double start, double now)
        {
            if (!failed)
            {
                return false;
            }

            if (!chained || start >= runEnd)
            {
                calls++;
                runEnd = now;
            }

            return calls >= threshold;
        }

        public override void Reset() => (calls, attempts, runEnd) = (0, 0, double.NegativeInfinity);
    }

    /// <summary>Rule E: a run of failed attempts opens only once it has lasted a minimum time.</summary>
    private sealed class TimedAttempts(string name, int threshold, double span) : OpeningRule(name)
    {
        private int run;
        private double runStart;

        public override bool OnAttempt(bool failed, double now)
        {
            if (!failed)
            {
                run = 0;
                return false;
            }

            if (run++ == 0)
            {
                runStart = now;
            }

            return run >= threshold && now - runStart >= span;
        }

        public override void Reset() => run = 0;
    }

    /// <summary>Rule F: ratio mode over a sliding window of calls.</summary>
    private sealed class Ratio(string name, double ratio, int minimum, double window) : OpeningRule(name)
    {
        private readonly Queue<(double At, bool Failed)> seen = new();
        private int failures;

        public override bool OnCall(bool failed, double start, double now)
        {
            seen.Enqueue((now, failed));
            failures += failed ? 1 : 0;
            while (seen.Peek().At < now - window)
            {
                failures -= seen.Dequeue().Failed ? 1 : 0;
            }

            return seen.Count >= minimum && failures >= ratio * seen.Count;
        }

        public override void Reset()
        {
            seen.Clear();
            failures = 0;
        }
    }
}
