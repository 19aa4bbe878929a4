using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>What the capacity-limited server does with excess load, and how its service time varies.</summary>
/// <param name="Name">The name <c>--variant</c> takes and the results files carry.</param>
/// <param name="Overflow">Shed the excess with <c>UNAVAILABLE</c>, or queue it.</param>
/// <param name="Variation">Constant service time, or exponential with the same mean.</param>
public sealed record OverloadVariant(string Name, CapacityOverflow Overflow, ServiceTimeVariation Variation)
{
    /// <summary>Sheds the excess; constant service time (handlers free up in step, so shedding comes in bursts).</summary>
    public static OverloadVariant Shed { get; } = new("shed", CapacityOverflow.Shed, ServiceTimeVariation.Constant);

    /// <summary>Queues the excess without bound and serves it even for callers who left; constant service time.</summary>
    public static OverloadVariant Queue { get; } = new("queue", CapacityOverflow.Queue, ServiceTimeVariation.Constant);

    /// <summary>Sheds the excess; exponential service time with the same mean.</summary>
    public static OverloadVariant ShedVarying { get; } = new("shed-varying", CapacityOverflow.Shed, ServiceTimeVariation.Exponential);

    /// <summary>Queues the excess; exponential service time with the same mean.</summary>
    public static OverloadVariant QueueVarying { get; } = new("queue-varying", CapacityOverflow.Queue, ServiceTimeVariation.Exponential);

    /// <summary>Every variant, in the order a run takes them.</summary>
    public static IReadOnlyList<OverloadVariant> All { get; } = [Shed, Queue, ShedVarying, QueueVarying];

    /// <summary>The variants run when <c>--variant</c> is not given: the two with constant service time.</summary>
    public static IReadOnlyList<OverloadVariant> Default { get; } = [Shed, Queue];

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: excess {(Overflow == CapacityOverflow.Shed ? "shed with UNAVAILABLE" : "queued (FIFO, unbounded, served even for callers who left)")}, "
        + $"{(Variation == ServiceTimeVariation.Constant ? "constant" : "exponential")} service time";
}
