namespace ResilientGrpc.Client.Cli;

/// <summary>The parsed command line.</summary>
internal sealed record ClientOptions
{
    /// <summary>The port of the Prometheus endpoint when neither <c>--metrics-port</c> nor <c>METRICS_PORT</c> is given.</summary>
    public const int DefaultMetricsPort = 9465;

    /// <summary>The calls per second of continuous mode when <c>--rate</c> is not given.</summary>
    public const double DefaultRate = 10;

    /// <summary>The most calls in flight in continuous mode when <c>--concurrency</c> is not given.</summary>
    public const int DefaultConcurrency = 8;

    /// <summary>The fewest replicas <c>--replicas</c> accepts.</summary>
    public const int MinReplicas = 2;

    /// <summary>The most replicas <c>--replicas</c> accepts.</summary>
    public const int MaxReplicas = 9;

    public ClientMode Mode { get; init; } = ClientMode.Demo;

    /// <summary>Gets a value indicating whether the demo runs with every duration scaled down.</summary>
    public bool Fast { get; init; }

    /// <summary>Gets how many in-process replicas the fleet demo hosts; 0 outside the fleet demo.</summary>
    public int Replicas { get; init; }

    /// <summary>Gets the server continuous mode calls; null in demo mode.</summary>
    public Uri? Server { get; init; }

    /// <summary>Gets the calls started per second in continuous mode.</summary>
    public double Rate { get; init; } = DefaultRate;

    /// <summary>Gets the most calls in flight at once in continuous mode.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Gets how long continuous mode runs; null runs until the process is stopped.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Gets the port of the <c>/metrics</c> endpoint; 0 picks a free port.</summary>
    public int MetricsPort { get; init; } = DefaultMetricsPort;
}
