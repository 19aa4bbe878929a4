namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// What the detector knows of one endpoint. Written under the detector's lock; <see cref="State"/> and
/// <see cref="EjectedUntil"/> are also read without it on the pick path.
/// </summary>
internal sealed class EndpointHealth(string endpoint)
{
    private volatile EndpointState state;
    private long ejectedUntil;

    public string Endpoint { get; } = endpoint;

    public EndpointState State
    {
        get => state;
        set => state = value;
    }

    /// <summary>The timestamp (<see cref="TimeProvider.GetTimestamp"/>) at which the current ejection ends.</summary>
    public long EjectedUntil
    {
        get => Volatile.Read(ref ejectedUntil);
        set => Volatile.Write(ref ejectedUntil, value);
    }

    /// <summary>When the current ejection began.</summary>
    public long EjectedAt { get; set; }

    /// <summary>When the current probe was let through.</summary>
    public long ProbeStarted { get; set; }

    /// <summary>Failed attempts in a row since the last success, ejection or unenforced decision.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>Successful attempts in the current interval.</summary>
    public int IntervalSuccesses { get; set; }

    /// <summary>Failed attempts in the current interval.</summary>
    public int IntervalFailures { get; set; }

    /// <summary>The ejection multiplier: how many ejections in a row, less one per healthy interval since (gRFC A50).</summary>
    public int Ejections { get; set; }

    public bool IsOut => State != EndpointState.Healthy;

    public void ResetCounts()
    {
        ConsecutiveFailures = 0;
        IntervalSuccesses = 0;
        IntervalFailures = 0;
    }
}
