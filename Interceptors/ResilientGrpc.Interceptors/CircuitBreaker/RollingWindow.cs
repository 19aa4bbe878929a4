using System.Diagnostics;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Calls and failures over a sliding window of buckets, lock-free: a stale slot's bucket is replaced by compare-and-swap.</summary>
internal sealed class RollingWindow
{
    public const int BucketCount = 10;

    private readonly Bucket?[] buckets = new Bucket?[BucketCount];
    private readonly TimeProvider time;
    private readonly long bucketLength;

    public RollingWindow(TimeSpan window, TimeProvider time)
    {
        Debug.Assert(window > TimeSpan.Zero, "validated by the options");
        this.time = time;
        bucketLength = Math.Max(1, Timestamps.FromTimeSpan(window, time) / BucketCount);
    }

    public void Record(bool failure)
    {
        var epoch = time.GetTimestamp() / bucketLength;
        var slot = (int)(epoch % BucketCount);
        while (true)
        {
            var bucket = Volatile.Read(ref buckets[slot]);
            if (bucket is not null && bucket.Epoch >= epoch)
            {
                bucket.Add(failure);
                return;
            }

            var fresh = new Bucket(epoch);
            fresh.Add(failure);
            if (Interlocked.CompareExchange(ref buckets[slot], fresh, bucket) == bucket)
            {
                return;
            }
        }
    }

    public (int Total, int Failures) Totals()
    {
        var oldest = time.GetTimestamp() / bucketLength - BucketCount + 1;
        int total = 0, failures = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            if (Volatile.Read(ref buckets[i]) is { } bucket && bucket.Epoch >= oldest)
            {
                // Failures before total (the writer adds them in the opposite order): never more failures than calls.
                failures += bucket.Failures;
                total += bucket.Total;
            }
        }

        return (total, failures);
    }

    public void Clear()
    {
        for (var i = 0; i < BucketCount; i++)
        {
            Volatile.Write(ref buckets[i], null);
        }
    }

    private sealed class Bucket(long epoch)
    {
        private int total;
        private int failures;

        public long Epoch { get; } = epoch;

        public int Total => Volatile.Read(ref total);

        public int Failures => Volatile.Read(ref failures);

        public void Add(bool failure)
        {
            Interlocked.Increment(ref total);
            if (failure)
            {
                Interlocked.Increment(ref failures);
            }
        }
    }
}
