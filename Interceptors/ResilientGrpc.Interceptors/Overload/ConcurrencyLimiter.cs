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
/// <para>
/// An attempt's token holds when it started (microseconds since the limiter was created, in the high 48 bits) and how
/// many attempts were in flight when it was admitted, itself included (the low 16); it is 0 for an attempt that is not
/// timed. Attempts that started before the limit last went down say nothing of the new limit, so they free their slots
/// without joining a round: as TCP cuts its window once per loss, not once per lost packet.
/// </para>
/// <para>
/// Timing an attempt costs two reads of the clock and the round's lock, most of what an adaptive limit costs. An
/// attempt alone in flight under a limit of 8 or more cannot be the client pushing the server: it only shows what the
/// server does unpushed. Once the baseline has learned that from an epoch of quiet rounds (<see cref="ServerBaseline.Known"/>),
/// one such attempt in 8 is timed. A round then spans more attempts, and the answered ones that were not timed still
/// count in its throughput. Every attempt with another in flight, or under a limit below 8, is timed, so a queue the
/// client builds, or refusals at a higher concurrency than before, are seen as soon as before.
/// </para>
/// </remarks>
internal sealed class ConcurrencyLimiter : IAttemptWatcher
{
    private const int InFlightBits = 16;
    private const long InFlightMask = (1 << InFlightBits) - 1;
    private const int TimedOneIn = 8;
    private const int SampledFromLimit = 8;
    private readonly Lock gate = new();
    private readonly LimitAlgorithm algorithm;
    private readonly OutcomeClassifier classifier;
    private readonly TimeProvider time;
    private readonly int minLimit;
    private readonly int maxLimit;
    private readonly long origin;
    private readonly double microsecondsPerTick;
    private readonly bool isFixed;
    private readonly RoundSamples round = new();
    private readonly Lock queueGate = new();
    private readonly LinkedList<SlotWaiter> queue = [];
    private readonly int? maxQueueLength;
    private volatile int waiting;
    private double limit;
    private long lastCut = -1;
    private volatile int admissionLimit;
    private int inFlight;
    private volatile bool learned;
    private int turn;
    private int untimedAnswered;

    public ConcurrencyLimiter(ConcurrencyLimitOptions options, TimeProvider time)
    {
        algorithm = LimitAlgorithm.For(options);
        classifier = new OutcomeClassifier(options.OverloadStatusCodes);
        this.time = time;
        minLimit = options.MinLimit;
        maxLimit = options.MaxLimit;
        origin = time.GetTimestamp();
        microsecondsPerTick = 1_000_000.0 / time.TimestampFrequency;
        isFixed = algorithm.IsFixed;
        limit = options.InitialLimit ?? options.MaxLimit;
        admissionLimit = (int)limit;
        MaxQueueWait = options.MaxQueueWait;
        maxQueueLength = options.MaxQueueLength;
    }

    /// <summary>How long an attempt may wait for a slot; zero: none waits.</summary>
    public TimeSpan MaxQueueWait { get; }

    /// <summary>The limit now: the most attempts admitted at once.</summary>
    public int Limit => admissionLimit;

    /// <summary>The attempts in flight now.</summary>
    public int InFlight => Math.Max(0, Volatile.Read(ref inFlight));

    /// <summary>The attempts waiting in line for a slot now.</summary>
    public int Waiting
    {
        get
        {
            lock (queueGate)
            {
                return queue.Count;
            }
        }
    }

    /// <summary>
    /// Admits an attempt when a slot is free; <paramref name="token"/> then says when it started and how many attempts
    /// were in flight, for <see cref="Release"/>. False, and nothing taken, when the limit is reached.
    /// </summary>
    public bool TryAcquire(out long token)
    {
        if (waiting > 0)
        {
            // Those in line come first.
            token = 0;
            return false;
        }

        return TryTake(out token);
    }

    /// <summary>
    /// For an attempt that found the limit reached (<see cref="TryAcquire"/> false): admits it now if a slot is free and
    /// none waits (true, with its <paramref name="token"/>), else puts <paramref name="waiter"/> in line (false, and
    /// <paramref name="queued"/> true) unless the line is full (both false: refuse it).
    /// </summary>
    public bool TryAcquireOrQueue(SlotWaiter waiter, out long token, out bool queued)
    {
        // Counted before the slot is tried: an attempt that ends meanwhile then sees someone waiting, and hands its slot on.
        Interlocked.Increment(ref waiting);
        lock (queueGate)
        {
            queued = false;
            if (queue.Count == 0 && TryTake(out token))
            {
                Interlocked.Decrement(ref waiting);
                return true;
            }

            token = 0;
            if (queue.Count >= (maxQueueLength ?? admissionLimit))
            {
                Interlocked.Decrement(ref waiting);
                return false;
            }

            waiter.Place = queue.AddLast(waiter);
            queued = true;
            return false;
        }
    }

    /// <summary><paramref name="waiter"/> stopped waiting (its wait ran out, or its caller gave up): it leaves the line, if still in it.</summary>
    public void Leave(SlotWaiter waiter)
    {
        lock (queueGate)
        {
            if (waiter.Place is { List: not null } place)
            {
                queue.Remove(place);
                Interlocked.Decrement(ref waiting);
            }
        }
    }

    private bool TryTake(out long token)
    {
        var admitted = Interlocked.Increment(ref inFlight);
        var limitNow = admissionLimit;
        if (admitted > limitNow)
        {
            Interlocked.Decrement(ref inFlight);
            token = 0;
            return false;
        }

        // The turn is counted without a lock: a lost increment under contention only moves which attempt is timed.
        if (admitted == 1 && limitNow >= SampledFromLimit && learned && ++turn % TimedOneIn != 0)
        {
            token = 0;
            return true;
        }

        token = isFixed ? 0 : (Now() << InFlightBits) | Math.Min(admitted, InFlightMask);
        return true;
    }

    /// <summary>
    /// The attempt admitted with <paramref name="token"/> ended with <paramref name="error"/> (null: success): its slot
    /// is free, and an adaptive limit learns from it if it was timed (a token other than 0), unless the caller cancelled
    /// it (<paramref name="callerToken"/>, <paramref name="readToken"/>), it never reached the server, or its deadline cut it.
    /// </summary>
    public void Release(long token, Exception? error, CancellationToken callerToken, CancellationToken readToken)
    {
        Interlocked.Decrement(ref inFlight);
        if (token != 0)
        {
            Learn(token, error, callerToken, readToken);
        }
        else if (error is null && !isFixed)
        {
            Interlocked.Increment(ref untimedAnswered);
        }

        HandOn();
    }

    /// <summary>An admitted attempt ended without an outcome (disposed, or never started): its slot is free.</summary>
    public void Abandon()
    {
        Interlocked.Decrement(ref inFlight);
        HandOn();
    }

    /// <inheritdoc />
    void IAttemptWatcher.OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken) =>
        Release(token, error, callerToken, default);

    /// <summary>Gives the slots free now, under a limit that may have risen, to those waiting, first in line first.</summary>
    private void HandOn()
    {
        if (waiting == 0)
        {
            return;
        }

        lock (queueGate)
        {
            while (queue.First is { } first && TryTake(out var token))
            {
                queue.RemoveFirst();
                Interlocked.Decrement(ref waiting);
                if (!first.Value.TryGrant(token))
                {
                    // Its wait ran out or its caller gave up as the slot came: the slot is free again.
                    Interlocked.Decrement(ref inFlight);
                }
            }
        }
    }

    private void Learn(long token, Exception? error, CancellationToken callerToken, CancellationToken readToken)
    {
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
                Move(algorithm.Next(limit, round.Close(Volatile.Read(ref inFlight), Interlocked.Exchange(ref untimedAnswered, 0))), ended);
                learned = algorithm.BaselineKnown;
            }
        }
    }

    /// <summary>Microseconds since the limiter was created.</summary>
    private long Now() => (long)((time.GetTimestamp() - origin) * microsecondsPerTick);

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
