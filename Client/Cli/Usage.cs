namespace ResilientGrpc.Client.Cli;

/// <summary>The text <c>--help</c> prints, and the hint after a bad argument.</summary>
internal static class Usage
{
    public static readonly string Text = $"""
        ResilientGrpc demo client: calls the unstable gRPC service through the retry, circuit breaker and
        deadline interceptors (library defaults: 2 s deadline; 3 attempts with 1 s -> 2 s backoff; breaker
        opens after 5 failed calls or 15 failed attempts in a row and probes after 30 s).

        Usage:
          ResilientGrpc.Client                      narrated demo against the chaos service hosted in-process
                                                    (about 2 minutes), then a summary table per phase
          ResilientGrpc.Client --fast               the same story with every duration scaled by 0.1 (< 30 s)
          ResilientGrpc.Client --replicas N         fleet demo: N chaos replicas in-process (2 to 9) behind one
                                                    static:/// channel; replica 2 goes down, then comes back; the
                                                    same load without, then with outlier ejection (< 1 minute)
          ResilientGrpc.Client --overload [--fast] [--overflow shed|queue]
                                                    overload demo: a server of fixed capacity in-process (8
                                                    handlers x 20 ms = 400 calls/s) offered 0.5x, then 2x, then
                                                    0.5x its capacity; the same load without the library (a 2 s
                                                    deadline per call), then with its defaults (< 1 minute;
                                                    --fast: 10 s of load a run instead of 20)
          ResilientGrpc.Client --server URL [--rate N] [--concurrency N] [--duration D]
                                                    continuous load against an external server, e.g.
                                                    --server http://localhost:5000; stops after D or on Ctrl+C

        Options:
          --server URL         the server's address (http:// for plaintext HTTP/2); dns:///host:port balances
                               round robin with outlier detection over every address the name resolves to (a
                               headless Service); a comma-separated list of http:// addresses balances over those
          --dns-refresh D      how often a dns:/// address is resolved again, so new replicas are seen (default
                               {ClientOptions.DefaultDnsRefresh.TotalSeconds:0} s, or the DNS_REFRESH environment variable)
          --rate N             calls started per second (default {ClientOptions.DefaultRate}); continuous mode only
          --concurrency N      most calls in flight at once (default {ClientOptions.DefaultConcurrency}); continuous mode only
          --duration D         how long to run: 90s, 2m, 500ms, 1h, or 00:01:30 (default: until stopped)
          --metrics-port N     port of the Prometheus endpoint /metrics (default {ClientOptions.DefaultMetricsPort},
                               or the METRICS_PORT environment variable; 0 picks a free port)
          --replicas N         fleet demo with N in-process replicas, from 2 to 9
          --fast               demo only: scale every duration down by 10 (with --overload: half the load time)
          --overload           the overload demo (see above)
          --overflow MODE      overload demo only: what the server does with a call that finds every handler
                               busy: shed (refuse it at once with UNAVAILABLE, the default) or queue (serve it
                               later, first in first out, even after its caller has left)
          -h, --help           print this text

        In continuous mode the resilience settings come from configuration, e.g. environment variables
        Resilience__Deadline__Timeout=00:00:02, Resilience__Retry__MaxAttempts=3,
        Resilience__CircuitBreaker__BreakDuration=00:00:05. The demo always uses the library's defaults.
        """;
}
