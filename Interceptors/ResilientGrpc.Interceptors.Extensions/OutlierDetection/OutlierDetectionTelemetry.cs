using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>Turns the detector's decisions into log events and A91 counts for one channel (<c>grpc.target</c>).</summary>
internal sealed class OutlierDetectionTelemetry(ILogger logger, OutlierDetectionMetrics metrics, string target) : IEjectionObserver
{
    public string Target { get; } = target;

    public void Ejected(string endpoint, EjectionReason reason, TimeSpan duration, int failures)
    {
        metrics.Enforced(Target, reason);
        switch (reason)
        {
            case EjectionReason.ConsecutiveFailures:
                OutlierDetectionLog.Ejected(logger, endpoint, duration.TotalSeconds, failures);
                break;
            case EjectionReason.FailurePercentage:
                OutlierDetectionLog.EjectedOnPercentage(logger, endpoint, duration.TotalSeconds, failures);
                break;
            default:
                OutlierDetectionLog.ProbeFailed(logger, endpoint, duration.TotalSeconds);
                break;
        }
    }

    public void NotEnforced(string endpoint, EjectionReason reason, int failures, int outCount, int total)
    {
        metrics.Unenforced(Target, reason);
        OutlierDetectionLog.NotEnforced(logger, endpoint, outCount, total);
    }

    public void Returned(string endpoint, TimeSpan ejectedFor) => OutlierDetectionLog.Returned(logger, endpoint, ejectedFor.TotalSeconds);
}
