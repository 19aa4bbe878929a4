using System.Collections.Concurrent;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Server.Telemetry;

/// <summary>
/// Thread-safe counts of what the server saw: calls received (in total, per RPC method and per injected
/// outcome), calls the caller abandoned and, in capacity mode, what the handlers did (calls shed, queued, and
/// served for a caller who had already left). The same facts are exported as metrics; this object lets
/// in-process tests and benchmarks read them directly. One per server (resolve it from the server's services).
/// </summary>
/// <remarks>
/// <see cref="TotalCalls"/> counts arrivals: every attempt that reached the server, whatever became of it. The outcome
/// is chaos's decision at arrival, so a call that capacity mode sheds counts as <see cref="ChaosOutcome.Ok"/> there and in
/// <see cref="ShedCalls"/>.
/// </remarks>
public sealed class ServerCallStatistics
{
    private readonly long[] _byOutcome = new long[Enum.GetValues<ChaosOutcome>().Length];
    private readonly ConcurrentDictionary<string, MethodCounter> _byMethod = new(StringComparer.Ordinal);
    private long _total;
    private long _abandoned;
    private long _shed;
    private long _queued;
    private long _servedAfterCallerLeft;

    internal ServerCallStatistics()
    {
    }

    /// <summary>Gets the number of calls received, whatever their outcome.</summary>
    public long TotalCalls => Interlocked.Read(ref _total);

    /// <summary>Gets the number of calls that ended because the caller cancelled or its deadline passed.</summary>
    public long AbandonedCalls => Interlocked.Read(ref _abandoned);

    /// <summary>Gets the number of calls capacity mode refused with <c>UNAVAILABLE</c> because every handler was busy.</summary>
    public long ShedCalls => Interlocked.Read(ref _shed);

    /// <summary>Gets the number of calls capacity mode queued because every handler was busy.</summary>
    public long QueuedCalls => Interlocked.Read(ref _queued);

    /// <summary>
    /// Gets the number of calls whose handler finished serving them after their caller had left (cancelled, or its deadline
    /// passed): work the server did for nobody.
    /// </summary>
    public long ServedAfterCallerLeft => Interlocked.Read(ref _servedAfterCallerLeft);

    /// <summary>Gets the number of calls received for which chaos decided <paramref name="outcome"/>.</summary>
    /// <param name="outcome">The injected outcome.</param>
    /// <returns>The count.</returns>
    public long CallsWithOutcome(ChaosOutcome outcome) => Interlocked.Read(ref _byOutcome[(int)outcome]);

    /// <summary>Gets the number of calls received for one RPC method.</summary>
    /// <param name="method">The method name as in the contract: <c>Process</c>, <c>Subscribe</c>, <c>Upload</c> or <c>Echo</c>.</param>
    /// <returns>The count; zero for a method never called.</returns>
    public long CallsTo(string method) => _byMethod.TryGetValue(method, out var counter) ? counter.Read() : 0;

    /// <summary>Sets every count back to zero, for example between the phases of a test.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _abandoned, 0);
        Interlocked.Exchange(ref _shed, 0);
        Interlocked.Exchange(ref _queued, 0);
        Interlocked.Exchange(ref _servedAfterCallerLeft, 0);
        for (var i = 0; i < _byOutcome.Length; i++)
        {
            Interlocked.Exchange(ref _byOutcome[i], 0);
        }

        foreach (var counter in _byMethod.Values)
        {
            counter.Reset();
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"total={TotalCalls} ok={CallsWithOutcome(ChaosOutcome.Ok)} error={CallsWithOutcome(ChaosOutcome.Error)} "
        + $"hang={CallsWithOutcome(ChaosOutcome.Hang)} outage={CallsWithOutcome(ChaosOutcome.Outage)} abandoned={AbandonedCalls}"
        + $" shed={ShedCalls} queued={QueuedCalls} served-after-caller-left={ServedAfterCallerLeft}";

    internal void RecordCall(string method, ChaosOutcome outcome)
    {
        _byMethod.GetOrAdd(method, static _ => new MethodCounter()).Increment();
        Interlocked.Increment(ref _byOutcome[(int)outcome]);
        Interlocked.Increment(ref _total);
    }

    internal void RecordAbandoned() => Interlocked.Increment(ref _abandoned);

    internal void RecordShed() => Interlocked.Increment(ref _shed);

    internal void RecordQueued() => Interlocked.Increment(ref _queued);

    internal void RecordServedAfterCallerLeft() => Interlocked.Increment(ref _servedAfterCallerLeft);

    private sealed class MethodCounter
    {
        private long _value;

        public long Read() => Interlocked.Read(ref _value);

        public void Increment() => Interlocked.Increment(ref _value);

        public void Reset() => Interlocked.Exchange(ref _value, 0);
    }
}
