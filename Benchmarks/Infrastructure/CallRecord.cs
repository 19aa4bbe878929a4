using Grpc.Core;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>One logical call of a chaos run: when it started and ended (from the run's start), and how.</summary>
/// <param name="Start">When the caller started it.</param>
/// <param name="End">When the caller saw its outcome.</param>
/// <param name="Status">The status the caller saw.</param>
/// <param name="RejectedLocally">True when a circuit breaker failed it without sending it.</param>
public readonly record struct CallRecord(TimeSpan Start, TimeSpan End, StatusCode Status, bool RejectedLocally)
{
    public TimeSpan Latency => End - Start;

    public bool Succeeded => Status == StatusCode.OK;
}
