using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Overload;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// A server of fixed capacity (handlers × service time) in simulated time, millisecond by millisecond, fed by an
/// open-loop load through a <see cref="ConcurrencyLimiter"/>: the limiter sees exactly what it would see in production
/// (admissions, and ends with their latency and status), on a fake clock, so a minute of overload runs in milliseconds.
/// </summary>
internal sealed class LimiterSimulation
{
    private static readonly RpcException Shed = new(new Status(StatusCode.Unavailable, "shed"));
    private static readonly RpcException Flaky = new(new Status(StatusCode.Unavailable, "flaky"));
    private static readonly RpcException Deadline = new(new Status(StatusCode.DeadlineExceeded, "hung"));
    private readonly FakeTimeProvider time = new();
    private readonly Random random;
    private readonly List<Attempt> running = [];
    private readonly Queue<Attempt> queue = new();
    private double arrivalCredit;
    private int busy;

    public LimiterSimulation(ConcurrencyLimitOptions options, int seed = 7)
    {
        Limiter = new ConcurrencyLimiter(options, time);
        random = new Random(seed);
    }

    public ConcurrencyLimiter Limiter { get; }

    /// <summary>Handlers that serve attempts in parallel.</summary>
    public int Handlers { get; init; } = 8;

    /// <summary>Milliseconds each attempt takes to serve.</summary>
    public int ServiceMilliseconds { get; set; } = 20;

    /// <summary>Whether the server queues what its handlers cannot take (else it refuses it at once with UNAVAILABLE).</summary>
    public bool Queues { get; init; }

    /// <summary>How far each service time may stray from its mean, as a share of it (uniformly, either way).</summary>
    public double ServiceVariation { get; init; }

    /// <summary>Whether service times are exponential with the mean <see cref="ServiceMilliseconds"/> (p50 0.69×, p99 4.6× it).</summary>
    public bool ExponentialService { get; init; }

    /// <summary>The share of served attempts that hang, holding their handler, until the attempt's deadline.</summary>
    public double HangShare { get; init; }

    /// <summary>The attempt's deadline, in milliseconds, which ends a hang with DEADLINE_EXCEEDED.</summary>
    public int DeadlineMilliseconds { get; init; } = 2000;

    /// <summary>The share of served attempts the server fails at random with UNAVAILABLE, overload or not.</summary>
    public double FlakyShare { get; init; }

    /// <summary>The capacity: attempts served per second.</summary>
    public double Capacity => Handlers * 1000.0 / ServiceMilliseconds;

    /// <summary>Runs <paramref name="seconds"/> of load at <paramref name="perSecond"/> calls a second; returns what it did.</summary>
    public Phase Run(double perSecond, int seconds)
    {
        var phase = new Phase(seconds);
        for (var ms = 0; ms < seconds * 1000; ms++)
        {
            arrivalCredit += perSecond / 1000;
            for (; arrivalCredit >= 1; arrivalCredit--)
            {
                Arrive(phase);
            }

            phase.MaxInFlight = Math.Max(phase.MaxInFlight, Limiter.InFlight);
            if (ms % 250 == 0)
            {
                phase.Limits.Add(Limiter.Limit);
            }

            time.Pass(TimeSpan.FromMilliseconds(1));
            Complete(phase);
        }

        return phase;
    }

    private void Arrive(Phase phase)
    {
        if (!Limiter.TryAcquire(out var token))
        {
            phase.Refused++;
            return;
        }

        phase.Sent++;
        var attempt = new Attempt(token, time.GetTimestamp());
        if (busy < Handlers)
        {
            Serve(attempt);
        }
        else if (Queues)
        {
            queue.Enqueue(attempt);
        }
        else
        {
            attempt.EndsAt = time.GetTimestamp();
            attempt.Error = Shed;
            running.Add(attempt);
        }
    }

    private void Serve(Attempt attempt)
    {
        busy++;
        attempt.Holds = true;
        var hangs = random.NextDouble() < HangShare;
        var milliseconds = hangs ? DeadlineMilliseconds
            : ExponentialService ? -ServiceMilliseconds * Math.Log(1 - random.NextDouble())
            : ServiceMilliseconds * (1 + (ServiceVariation * ((2 * random.NextDouble()) - 1)));
        attempt.EndsAt = time.GetTimestamp() + (long)(milliseconds * time.TimestampFrequency / 1000);
        attempt.Error = hangs ? Deadline : random.NextDouble() < FlakyShare ? Flaky : null;
        running.Add(attempt);
    }

    private void Complete(Phase phase)
    {
        var now = time.GetTimestamp();
        for (var i = running.Count - 1; i >= 0; i--)
        {
            var attempt = running[i];
            if (attempt.EndsAt > now)
            {
                continue;
            }

            running.RemoveAt(i);
            if (attempt.Holds)
            {
                busy--;
            }

            if (attempt.Error is null)
            {
                phase.Succeeded++;
                phase.Latencies.Add(time.GetElapsedTime(attempt.Started, now).TotalMilliseconds);
            }

            Limiter.Release(attempt.Token, attempt.Error, default, default);
        }

        while (busy < Handlers && queue.Count > 0)
        {
            Serve(queue.Dequeue());
        }
    }

    /// <summary>What one phase of load did.</summary>
    internal sealed class Phase(int seconds)
    {
        public int Seconds { get; } = seconds;

        public int Sent { get; set; }

        public int Refused { get; set; }

        public int Succeeded { get; set; }

        public int MaxInFlight { get; set; }

        public List<double> Latencies { get; } = [];

        /// <summary>The limit every 250 ms, for failure messages.</summary>
        public List<int> Limits { get; } = [];

        public override string ToString() =>
            $"sent {SentPerSecond:0}/s, goodput {GoodputPerSecond:0}/s, refused {Refused}, p99 {P99:0.#} ms, limits {string.Join(' ', Limits)}";

        public double GoodputPerSecond => (double)Succeeded / Seconds;

        public double SentPerSecond => (double)Sent / Seconds;

        public double P99 => Latencies.Count == 0 ? 0 : Latencies.Order().ElementAt((int)(Latencies.Count * 0.99));
    }

    private sealed class Attempt(long token, long started)
    {
        public long Token { get; } = token;

        public long Started { get; } = started;

        public long EndsAt { get; set; }

        public bool Holds { get; set; }

        public Exception? Error { get; set; }
    }
}
