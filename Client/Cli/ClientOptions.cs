using ResilientGrpc.Server.Chaos;

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

    /// <summary>How often a <c>dns:///</c> server address is resolved again when neither <c>--dns-refresh</c> nor <c>DNS_REFRESH</c> is given.</summary>
    public static readonly TimeSpan DefaultDnsRefresh = TimeSpan.FromSeconds(30);

    /// <summary>The fewest replicas <c>--replicas</c> accepts.</summary>
    public const int MinReplicas = 2;

    /// <summary>The most replicas <c>--replicas</c> accepts.</summary>
    public const int MaxReplicas = 9;

    public ClientMode Mode { get; init; } = ClientMode.Demo;

    /// <summary>Gets a value indicating whether the demo runs with every duration scaled down.</summary>
    public bool Fast { get; init; }

    /// <summary>Gets how many in-process replicas the fleet demo hosts; 0 outside the fleet demo.</summary>
    public int Replicas { get; init; }

    /// <summary>Gets what the overload demo's server does with a call that finds every handler busy (<c>--overflow</c>).</summary>
    public CapacityOverflow Overflow { get; init; } = CapacityOverflow.Shed;

    /// <summary>
    /// Gets the server continuous mode calls; null in demo mode. A <c>dns:///host:port</c> address balances over every
    /// address the name resolves to; a comma-separated list of addresses becomes <c>static:///</c> with
    /// <see cref="Endpoints"/>.
    /// </summary>
    public Uri? Server { get; init; }

    /// <summary>Gets the addresses a <c>static:///</c> <see cref="Server"/> balances over; empty otherwise.</summary>
    public IReadOnlyList<Uri> Endpoints { get; init; } = [];

    /// <summary>Gets how often a <c>dns:///</c> <see cref="Server"/> is resolved again, so that new replicas are seen.</summary>
    public TimeSpan DnsRefresh { get; init; } = DefaultDnsRefresh;

    /// <summary>Gets a value indicating whether continuous mode balances over several endpoints with outlier detection.</summary>
    public bool Balanced => Server?.Scheme is ServerAddress.DnsScheme or ServerAddress.StaticScheme;

    /// <summary>Gets the calls started per second in continuous mode.</summary>
    public double Rate { get; init; } = DefaultRate;

    /// <summary>Gets the most calls in flight at once in continuous mode.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Gets how long continuous mode runs; null runs until the process is stopped.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Gets the port of the <c>/metrics</c> endpoint; 0 picks a free port.</summary>
    public int MetricsPort { get; init; } = DefaultMetricsPort;
}
