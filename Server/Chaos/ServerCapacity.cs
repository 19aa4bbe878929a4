using System.Diagnostics;

namespace ResilientGrpc.Server.Chaos;

/// <summary>
/// The handlers of a server in capacity mode (<see cref="ChaosOptions.CapacityHandlers"/>), kept as a schedule: for each
/// handler, the instant it is next free. A call that arrives takes the handler free soonest; if that one is busy, it is
/// shed, or it queues and starts the moment that handler frees up. Deciding calls in their order of arrival this way is a
/// first-in-first-out queue in front of the handlers, so no call ever waits in a collection and the caller's cancellation
/// cannot give a handler's time back: what a call was given is spent, whoever still listens. Thread-safe.
/// </summary>
/// <remarks>
/// Time comes from the injected <see cref="TimeProvider"/>; a varying service time draws from a random source seeded by
/// <see cref="ChaosOptions.Seed"/>, so a fake clock and a seed make every admission reproducible.
/// </remarks>
internal sealed class ServerCapacity
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly long[] _freeAt;
    private readonly long _serviceTicks;
    private readonly TimeSpan _serviceTime;
    private readonly ServiceTimeVariation _variation;
    private readonly CapacityOverflow _overflow;
    private readonly string? _pushback;
    private readonly Random _random;

    public ServerCapacity(ChaosOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        options.Validate();
        var handlers = options.CapacityHandlers ?? throw new ArgumentException("Capacity mode needs CapacityHandlers.", nameof(options));
        var now = timeProvider.GetTimestamp();
        _freeAt = Enumerable.Repeat(now, handlers).ToArray();
        _serviceTime = options.ServiceTime;
        _serviceTicks = ToTimestampTicks(options.ServiceTime);
        _variation = options.ServiceTimeVariation;
        _overflow = options.Overflow;
        _pushback = options.ErrorPushback;
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
    }

    /// <summary>The capacity of <paramref name="options"/> in force, or null when they set none or chaos is off.</summary>
    public static ServerCapacity? For(ChaosOptions options, TimeProvider timeProvider) =>
        options is { Enabled: true, CapacityHandlers: not null } ? new ServerCapacity(options, timeProvider) : null;

    /// <summary>Decides the call arriving now: refused, or given a handler from an instant on for its service time.</summary>
    public CapacityAdmission Admit() => Admit(out _);

    /// <summary>
    /// Decides the call arriving now, as <see cref="Admit()"/> does; <paramref name="handler"/> is the handler it was
    /// given, for the server to say when it answered (<see cref="CapacityHandler.Answered"/>).
    /// </summary>
    public CapacityAdmission Admit(out CapacityHandler handler)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            var soonest = SoonestFree_NeedsLock();
            var freeAt = _freeAt[soonest];
            if (freeAt > now && _overflow == CapacityOverflow.Shed)
            {
                handler = default;
                return CapacityAdmission.Shed(_pushback);
            }

            var start = Math.Max(now, freeAt);
            var (service, serviceTicks) = NextServiceTime_NeedsLock();
            _freeAt[soonest] = start + serviceTicks;
            Debug.Assert(_freeAt[soonest] >= now, "a handler is never free before the call it was given arrived");
            handler = new CapacityHandler(this, soonest, _freeAt[soonest]);
            return CapacityAdmission.Served(_timeProvider.GetElapsedTime(now, start), service);
        }
    }

    /// <summary>
    /// The call given handler <paramref name="handler"/> until <paramref name="scheduledEnd"/> was answered now: the
    /// handler is free from now on. A timer ends its service a few milliseconds early or late (.NET's timers tick in whole
    /// milliseconds, and fire early when many are due), and a handler still busy by the schedule after its call was
    /// answered would shed a caller's next call for no reason a real server has. A call given the handler since keeps
    /// its place in the schedule.
    /// </summary>
    internal void Answered(int handler, long scheduledEnd)
    {
        lock (_lock)
        {
            if (_freeAt[handler] == scheduledEnd)
            {
                _freeAt[handler] = _timeProvider.GetTimestamp();
            }
        }
    }

    private int SoonestFree_NeedsLock()
    {
        var soonest = 0;
        for (var i = 1; i < _freeAt.Length; i++)
        {
            if (_freeAt[i] < _freeAt[soonest])
            {
                soonest = i;
            }
        }

        return soonest;
    }

    private (TimeSpan Service, long Ticks) NextServiceTime_NeedsLock()
    {
        if (_variation == ServiceTimeVariation.Constant)
        {
            return (_serviceTime, _serviceTicks);
        }

        // Inverse transform: −mean · ln(1 − u) for u in [0, 1) is exponential with that mean, and never infinite.
        var service = TimeSpan.FromTicks((long)(-_serviceTime.Ticks * Math.Log(1 - _random.NextDouble())));
        return (service, ToTimestampTicks(service));
    }

    private long ToTimestampTicks(TimeSpan duration) =>
        (long)Math.Round(duration.Ticks * ((double)_timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond));
}
