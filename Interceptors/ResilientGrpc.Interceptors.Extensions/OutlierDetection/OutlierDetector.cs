namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// Per-endpoint outlier detection (gRFC A50 with the circuit breaker's rules): counts each endpoint's attempts, ejects one
/// that fails <see cref="OutlierDetectionOptions.ConsecutiveFailures"/> in a row or more than
/// <see cref="OutlierDetectionOptions.FailurePercentageThreshold"/> percent over an interval, keeps it out of the picks
/// for its ejection time (growing with repeated ejections), then lets one probe through: a success readmits it, a
/// failure ejects it again for longer. No more than <see cref="OutlierDetectionOptions.MaxEjectionPercent"/> of the
/// endpoints, and never all of them, are out at once. Thread-safe; time comes from the injected clock.
/// </summary>
internal sealed class OutlierDetector : IDisposable
{
    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly IEjectionObserver? observer;
    private readonly int? consecutiveFailures;
    private readonly int? failurePercentage;
    private readonly int minimumHosts;
    private readonly int requestVolume;
    private readonly TimeSpan interval;
    private readonly TimeSpan baseEjection;
    private readonly TimeSpan maxEjection;
    private readonly int maxEjectionPercent;
    private readonly ITimer sweeper;
    private Dictionary<string, EndpointHealth> endpoints = new(StringComparer.Ordinal);

    public OutlierDetector(OutlierDetectionOptions options, TimeProvider time, IEjectionObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.observer = observer;
        consecutiveFailures = options.ConsecutiveFailures;
        failurePercentage = options.FailurePercentageThreshold;
        minimumHosts = options.MinimumHosts;
        requestVolume = options.RequestVolume;
        interval = options.Interval;
        baseEjection = options.BaseEjectionTime;
        maxEjection = options.MaxEjectionTime;
        maxEjectionPercent = options.MaxEjectionPercent;
        // The timer holds the detector weakly: a channel dropped without being disposed does not keep it sweeping.
        var target = new SweepTarget(this);
        sweeper = time.CreateTimer(static s => ((SweepTarget)s!).Fire(), target, interval, interval);
        target.Timer = sweeper;
    }

    /// <summary>How many endpoints are out of the picks now (ejected, or out for their probe).</summary>
    public int OutCount
    {
        get
        {
            lock (gate)
            {
                return CountOut();
            }
        }
    }

    /// <summary>
    /// Follows the resolver's address list: new endpoints start healthy, endpoints no longer listed are forgotten, so
    /// what the detector holds stays bounded by the list.
    /// </summary>
    public void UpdateEndpoints(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        lock (gate)
        {
            var next = new Dictionary<string, EndpointHealth>(StringComparer.Ordinal);
            foreach (var address in addresses)
            {
                next[address] = endpoints.TryGetValue(address, out var known) ? known : new EndpointHealth(address);
            }

            Volatile.Write(ref endpoints, next);
        }
    }

    /// <summary>
    /// Whether a pick may go to <paramref name="endpoint"/>: healthy (or unknown) passes; an endpoint whose ejection is
    /// over gives its probe to exactly one caller; an ejected one, or one whose probe is out, is refused.
    /// </summary>
    public Admission Admit(string endpoint)
    {
        if (!Volatile.Read(ref endpoints).TryGetValue(endpoint, out var health) || health.State == EndpointState.Healthy)
        {
            return Admission.Pass;
        }

        var now = time.GetTimestamp();
        // Stryker disable once Logical,Block : a lock-free shortcut that answers as the locked test below would, and only saves taking the lock.
        if (health.State == EndpointState.Probing || now < health.EjectedUntil)
        {
            return Admission.Ejected;
        }

        lock (gate)
        {
            // Stryker disable once Logical,Block : "||" and "&&" differ, and the block is entered, only when another caller changed the state since the lock-free test, a race no test can schedule.
            if (health.State != EndpointState.Ejected || now < health.EjectedUntil)
            {
                // Stryker disable once all : reached only when another caller took the probe or readmitted the endpoint since the lock-free test.
                return health.State == EndpointState.Healthy ? Admission.Pass : Admission.Ejected;
            }

            health.State = EndpointState.Probing;
            health.ProbeStarted = now;
            return Admission.Probe;
        }
    }

    /// <summary>
    /// Whether the last attempt counted for <paramref name="endpoint"/> failed (it has failures in a row). Read without
    /// the lock, for the picker to steer a retry elsewhere; a stale answer only costs that preference.
    /// </summary>
    public bool LastAttemptFailed(string endpoint) =>
        Volatile.Read(ref endpoints).TryGetValue(endpoint, out var health) && health.ConsecutiveFailures > 0;

    /// <summary>
    /// Counts one attempt to <paramref name="endpoint"/> that failed (<paramref name="success"/> false) or not.
    /// <paramref name="probe"/> says it was the endpoint's readmission probe; attempts that were already in flight when
    /// the endpoint was ejected count for nothing.
    /// </summary>
    public void Record(string endpoint, bool success, bool probe)
    {
        lock (gate)
        {
            if (!endpoints.TryGetValue(endpoint, out var health))
            {
                return;
            }

            switch (health.State)
            {
                case EndpointState.Probing when probe:
                    EndProbe(health, success);
                    return;
                case EndpointState.Healthy:
                    Count(health, success);
                    return;
                default:
                    return;
            }
        }
    }

    /// <summary>
    /// The probe to <paramref name="endpoint"/> ended without a verdict (the caller cancelled it, or it failed before
    /// reaching the network): the next pick may probe again.
    /// </summary>
    public void ReleaseProbe(string endpoint)
    {
        lock (gate)
        {
            if (endpoints.TryGetValue(endpoint, out var health) && health.State == EndpointState.Probing)
            {
                health.State = EndpointState.Ejected;
                health.EjectedUntil = time.GetTimestamp();
            }
        }
    }

    /// <summary>
    /// The interval's sweep (gRFC A50): judges the failure percentages, starts a new interval, lowers the ejection
    /// multiplier of the endpoints that stayed in, and frees a probe that never answered. Runs on the detector's timer.
    /// </summary>
    public void Sweep()
    {
        lock (gate)
        {
            var now = time.GetTimestamp();
            if (failurePercentage is { } threshold)
            {
                var judged = endpoints.Values.Where(e => e.State == EndpointState.Healthy && e.IntervalSuccesses + e.IntervalFailures >= requestVolume).ToList();
                if (judged.Count >= minimumHosts)
                {
                    foreach (var health in judged.Where(e => e.IntervalFailures * 100 > threshold * (e.IntervalSuccesses + e.IntervalFailures)))
                    {
                        TryEject(health, EjectionReason.FailurePercentage, health.IntervalFailures, now);
                    }
                }
            }

            foreach (var health in endpoints.Values)
            {
                health.IntervalSuccesses = 0;
                health.IntervalFailures = 0;
                if (health.State == EndpointState.Healthy && health.Ejections > 0)
                {
                    health.Ejections--;
                }
                else if (health.State == EndpointState.Probing && time.GetElapsedTime(health.ProbeStarted, now) >= interval)
                {
                    // A probe that neither answered nor was released in a whole interval is lost: let another go.
                    health.State = EndpointState.Ejected;
                    health.EjectedUntil = now;
                }
            }
        }
    }

    public void Dispose() => sweeper.Dispose();


    private void Count(EndpointHealth health, bool success)
    {
        if (success)
        {
            health.ConsecutiveFailures = 0;
            health.IntervalSuccesses++;
            return;
        }

        health.ConsecutiveFailures++;
        health.IntervalFailures++;
        if (health.ConsecutiveFailures >= consecutiveFailures)
        {
            TryEject(health, EjectionReason.ConsecutiveFailures, health.ConsecutiveFailures, time.GetTimestamp());
        }
    }

    private void EndProbe(EndpointHealth health, bool success)
    {
        var now = time.GetTimestamp();
        if (!success)
        {
            // Still out: the cap already counts it, and a failed probe must not bring it back.
            Eject(health, EjectionReason.ProbeFailed, failures: 1, now);
            return;
        }

        health.State = EndpointState.Healthy;
        // Stryker disable once Statement : the counts are already zero: the ejection reset them, and nothing counts while an endpoint is out.
        health.ResetCounts();
        observer?.Returned(health.Endpoint, time.GetElapsedTime(health.EjectedAt, now));
    }

    private void TryEject(EndpointHealth health, EjectionReason reason, int failures, long now)
    {
        var total = endpoints.Count;
        var outAfter = CountOut() + 1;
        if (outAfter >= total || outAfter * 100 > maxEjectionPercent * total)
        {
            // Unenforced (gRFC A91): counted, and the count starts again so the next verdict takes as many failures.
            health.ConsecutiveFailures = 0;
            observer?.NotEnforced(health.Endpoint, reason, failures, outAfter - 1, total);
            return;
        }

        health.EjectedAt = now;
        Eject(health, reason, failures, now);
    }

    private void Eject(EndpointHealth health, EjectionReason reason, int failures, long now)
    {
        health.Ejections++;
        var duration = TimeSpan.FromTicks(Math.Min(baseEjection.Ticks * health.Ejections, Math.Max(baseEjection.Ticks, maxEjection.Ticks)));
        health.EjectedUntil = now + (long)(duration.Ticks * (time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
        health.State = EndpointState.Ejected;
        health.ResetCounts();
        observer?.Ejected(health.Endpoint, reason, duration, failures);
    }

    private int CountOut()
    {
        var count = 0;
        foreach (var health in endpoints.Values)
        {
            count += health.IsOut ? 1 : 0;
        }

        return count;
    }

    /// <summary>What the sweep timer holds: the detector, weakly, and the timer to stop once the detector is gone.</summary>
    private sealed class SweepTarget(OutlierDetector detector)
    {
        private readonly WeakReference<OutlierDetector> detector = new(detector);

        public ITimer? Timer { get; set; }

        public void Fire()
        {
            if (detector.TryGetTarget(out var alive))
            {
                alive.Sweep();
            }
            else
            {
                Timer?.Dispose();
            }
        }
    }
}
