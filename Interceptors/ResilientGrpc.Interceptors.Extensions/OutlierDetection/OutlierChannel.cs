using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// What one channel's balancer and status handler share: the settings, and the channel's one detector, made when the
/// channel first creates its balancer (which gives it the channel's logger factory).
/// </summary>
internal sealed class OutlierChannel : IDisposable
{
    private readonly Lock gate = new();
    private readonly OutlierDetectionOptions options;
    private readonly IMeterFactory? meterFactory;
    private readonly HashSet<StatusCode> failureCodes;
    private OutlierDetector? detector;

    public OutlierChannel(OutlierDetectionOptions options, TimeProvider? timeProvider, IMeterFactory? meterFactory, string? target)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.meterFactory = meterFactory;
        Time = timeProvider ?? TimeProvider.System;
        Target = target ?? "unknown";
        failureCodes = [.. options.FailureStatusCodes];
    }

    public TimeProvider Time { get; }

    /// <summary>The <c>grpc.target</c> tag of the channel's metrics.</summary>
    public string Target { get; }

    /// <summary>The channel's detector, or null before its balancer was created.</summary>
    public OutlierDetector? Detector => Volatile.Read(ref detector);

    /// <summary>The channel's detector, made on the first call with the channel's <paramref name="loggerFactory"/>.</summary>
    public OutlierDetector DetectorFor(ILoggerFactory? loggerFactory)
    {
        if (Volatile.Read(ref detector) is { } made)
        {
            return made;
        }

        lock (gate)
        {
            if (detector is null)
            {
                var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(ResilienceTelemetry.LoggerCategoryPrefix + ".OutlierDetection");
                var metrics = OutlierDetectionMetrics.For(meterFactory);
                var created = new OutlierDetector(options, Time, new OutlierDetectionTelemetry(logger, metrics, Target));
                var target = Target;
                var weak = new WeakReference<OutlierDetector>(created);
                metrics.ObserveEjected(created, () => new(weak.TryGetTarget(out var d) ? d.OutCount : 0, new KeyValuePair<string, object?>(ResilienceTelemetry.Tags.Target, target)));
                Volatile.Write(ref detector, created);
            }

            return detector;
        }
    }

    /// <summary>Whether an attempt that ended with <paramref name="status"/> counts as the endpoint's failure.</summary>
    public bool IsFailure(StatusCode status) => failureCodes.Contains(status);

    public void Dispose() => Volatile.Read(ref detector)?.Dispose();
}
