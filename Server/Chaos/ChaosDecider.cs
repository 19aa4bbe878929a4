using Grpc.Core;

namespace ResilientGrpc.Server.Chaos;

/// <summary>
/// Decides the fate of each call from validated options. Pure apart from its random source: the same
/// seed and the same elapsed times give the same decisions. Thread-safe.
/// </summary>
/// <remarks>
/// Outage first: inside the first <see cref="ChaosOptions.OutageFor"/> of every
/// <see cref="ChaosOptions.OutageEvery"/> cycle the call is an outage and no random number is drawn.
/// Otherwise one draw <c>r</c> in [0,1): <c>r &lt; ErrorRate</c> is an error (a second draw picks the code
/// when several are configured), <c>r &lt; ErrorRate + HangRate</c> is a hang, anything else is served.
/// Errors and outages carry <see cref="ChaosOptions.ErrorPushback"/>. With
/// <see cref="ChaosOptions.PerRequestDecisions"/> the two draws of a call that has a request id come from
/// <see cref="RequestDraws"/> instead of the shared sequence.
/// </remarks>
internal sealed class ChaosDecider
{
    private readonly Lock _lock = new();
    private readonly Random _random;
    private readonly bool _enabled;
    private readonly double _errorRate;
    private readonly double _hangRate;
    private readonly StatusCode[] _codes;
    private readonly TimeSpan _hangDuration;
    private readonly TimeSpan? _outageEvery;
    private readonly TimeSpan? _outageFor;
    private readonly string? _pushback;
    private readonly RequestDraws? _requestDraws;

    public ChaosDecider(ChaosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _enabled = options.Enabled;
        _errorRate = options.ErrorRate;
        _hangRate = options.HangRate;
        _codes = [.. options.ErrorCodes];
        _hangDuration = options.HangDuration;
        _outageEvery = options.OutageEvery;
        _outageFor = options.OutageFor;
        _pushback = options.ErrorPushback;
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
        _requestDraws = options.PerRequestDecisions ? new RequestDraws(options.Seed ?? Random.Shared.Next()) : null;
    }

    /// <summary>Decides one call.</summary>
    /// <param name="sinceStart">Time since the outage clock started (server start or the last restart).</param>
    /// <param name="requestId">The call's request id, which <see cref="ChaosOptions.PerRequestDecisions"/> draws from; null when it has none.</param>
    /// <param name="method">The method called, which per-request decisions also draw from.</param>
    public ChaosDecision Decide(TimeSpan sinceStart, string? requestId = null, string method = "")
    {
        if (!_enabled)
        {
            return ChaosDecision.Ok;
        }

        if (IsInOutage(sinceStart))
        {
            return ChaosDecision.Outage(_pushback);
        }

        double draw;
        int codeIndex = 0;
        if (_requestDraws is not null && !string.IsNullOrEmpty(requestId))
        {
            (draw, var codeDraw) = _requestDraws.Next(method, requestId);
            codeIndex = Math.Min((int)(codeDraw * _codes.Length), _codes.Length - 1);
        }
        else
        {
            lock (_lock)
            {
                draw = _random.NextDouble();
                if (draw < _errorRate && _codes.Length > 1)
                {
                    codeIndex = _random.Next(_codes.Length);
                }
            }
        }

        if (draw < _errorRate)
        {
            return ChaosDecision.Error(_codes[codeIndex], _pushback);
        }

        return draw < _errorRate + _hangRate ? ChaosDecision.Hang(_hangDuration) : ChaosDecision.Ok;
    }

    private bool IsInOutage(TimeSpan sinceStart)
    {
        if (_outageEvery is not { } every || _outageFor is not { } length || sinceStart < TimeSpan.Zero)
        {
            return false;
        }

        var intoCycle = TimeSpan.FromTicks(sinceStart.Ticks % every.Ticks);
        return intoCycle < length;
    }
}
