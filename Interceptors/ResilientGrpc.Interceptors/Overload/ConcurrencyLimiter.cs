using Grpc.Core;
using ResilientGrpc.Interceptors.CircuitBreaker;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// The attempts in flight through one <see cref="ConcurrencyLimitInterceptor"/> and their limit. Admission is
/// lock-free: an attempt takes a slot by incrementing the count and gives it back if that passed the limit, so the
/// attempts admitted never exceed it. An adaptive limit moves once per round (<see cref="LimitRound"/>), under a small
/// lock taken as attempts end.
/// </summary>
/// <remarks>
/// An attempt's token holds when it started (microseconds since the limiter was created, in the high 48 bits) and how
/// many attempts were in flight when it was admitted, itself included (the low 16). Attempts that started before the limit last went down say nothing of the new limit, so they free
/// their slots without joining a round: as TCP cuts its window once per loss, not once per lost packet.
/// </remarks>
internal sealed class ConcurrencyLimiter : IAttemptWatcher
{
    private const int InFlightBits = 16;
    private const long InFlightMask = (1 << InFlightBits) - 1;
    private readonly Lock gate = new();
    private readonly LimitAlgorithm algorithm;
    private readonly OutcomeClassifier classifier;
    private readonly TimeProvider time;
    private readonly int minLimit;
    private readonly int maxLimit;
    private readonly long origin;
    private readonly long ticksPerMicrosecond;
    private readonly RoundSamples round = new();
    private double limit;
    private long lastCut = -1;
    private volatile int admissionLimit;
    private int inFlight;

    public ConcurrencyLimiter(ConcurrencyLimitOptions options, TimeProvider time)
    {
        algorithm = LimitAlgorithm.For(options);
        classifier = new OutcomeClassifier(options.OverloadStatusCodes);
        this.time = time;
        minLimit = options.MinLimit;
        maxLimit = options.MaxLimit;
        origin = time.GetTimestamp();
        ticksPerMicrosecond = Math.Max(1, time.TimestampFrequency / 1_000_000);
        limit = options.InitialLimit ?? options.MaxLimit;
        admissionLimit = (int)limit;
    }

    /// <summary>The limit now: the most attempts admitted at once.</summary>
    public int Limit => admissionLimit;

    /// <summary>The attempts in flight now.</summary>
    public int InFlight => Math.Max(0, Volatile.Read(ref inFlight));

    /// <summary>
    /// Admits an attempt when a slot is free; <paramref name="token"/> then says when it started and how many attempts
    /// were in flight, for <see cref="Release"/>. False, and nothing taken, when the limit is reached.
    /// </summary>
    public bool TryAcquire(out long token)
    {
        var admitted = Interlocked.Increment(ref inFlight);
        var limitNow = admissionLimit;
        if (admitted > limitNow)
        {
            Interlocked.Decrement(ref inFlight);
            token = 0;
            return false;
        }

        token = algorithm.IsFixed ? 0 : (Now() << InFlightBits) | Math.Min(admitted, InFlightMask);
        return true;
    }

    /// <summary>
    /// The attempt admitted with <paramref name="token"/> ended with <paramref name="error"/> (null: success): its slot
    /// is free, and an adaptive limit learns from it, unless the caller cancelled it (<paramref name="callerToken"/>,
    /// <paramref name="readToken"/>), it never reached the server, or its deadline cut it.
    /// </summary>
    public void Release(long token, Exception? error, CancellationToken callerToken, CancellationToken readToken)
    {
        Interlocked.Decrement(ref inFlight);
        if (algorithm.IsFixed)
        {
            return;
        }

        // An attempt cut by its deadline (unless named an overload refusal) has no latency to learn from, only a bound of
        // it: hangs at random would otherwise make the median of a round the deadline, a queue that is not there. A real
        // queue shows first in the latency of the attempts the server still answers in time.
        var outcome = classifier.Classify(error, callerToken, readToken);
        if (outcome == CallOutcome.Ignored || (outcome == CallOutcome.Success && error is RpcException { StatusCode: StatusCode.DeadlineExceeded }))
        {
            return;
        }

        var started = token >> InFlightBits;
        var ended = Now();
        lock (gate)
        {
            if (started <= lastCut)
            {
                return;
            }

            round.Add(ended, ended - started, outcome == CallOutcome.Failure, (int)(token & InFlightMask), admissionLimit);
            if (round.IsComplete)
            {
                Move(algorithm.Next(limit, round.Close(Volatile.Read(ref inFlight))), ended);
            }
        }
    }

    /// <summary>An admitted attempt ended without an outcome (disposed, or never started): its slot is free.</summary>
    public void Abandon() => Interlocked.Decrement(ref inFlight);

    /// <inheritdoc />
    void IAttemptWatcher.OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken) =>
        Release(token, error, callerToken, default);

    /// <summary>Microseconds since the limiter was created.</summary>
    private long Now() => (time.GetTimestamp() - origin) / ticksPerMicrosecond;

    private void Move(double next, long now)
    {
        var previous = limit;
        limit = Math.Clamp(next, minLimit, maxLimit);
        if (limit < previous)
        {
            lastCut = now;
        }

        admissionLimit = (int)limit;
    }
}
