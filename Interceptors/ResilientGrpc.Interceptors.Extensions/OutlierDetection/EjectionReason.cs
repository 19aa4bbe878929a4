namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>Why an endpoint was ejected (the A91 tag <c>grpc.lb.outlier_detection.detection_method</c>).</summary>
internal enum EjectionReason
{
    /// <summary>It failed <see cref="OutlierDetectionOptions.ConsecutiveFailures"/> attempts in a row.</summary>
    ConsecutiveFailures,

    /// <summary>Its failure percentage over an interval passed <see cref="OutlierDetectionOptions.FailurePercentageThreshold"/>.</summary>
    FailurePercentage,

    /// <summary>Its readmission probe failed.</summary>
    ProbeFailed,
}
