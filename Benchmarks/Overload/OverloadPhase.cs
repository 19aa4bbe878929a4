namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>The three phases of the overload profile's offered load, in order.</summary>
public enum OverloadPhase
{
    /// <summary>Half the server's capacity: the unloaded latency is measured here.</summary>
    Before,

    /// <summary>Twice the server's capacity.</summary>
    Overload,

    /// <summary>Half the capacity again, from the drop: recovery is measured here.</summary>
    After,
}
