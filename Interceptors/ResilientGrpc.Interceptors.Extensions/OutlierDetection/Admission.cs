namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>What the detector says of one pick of an endpoint.</summary>
internal enum Admission
{
    /// <summary>The endpoint is healthy: pick it.</summary>
    Pass,

    /// <summary>The endpoint's ejection is over and this pick is its one readmission probe.</summary>
    Probe,

    /// <summary>The endpoint is ejected (or its probe is already out): pick another.</summary>
    Ejected,
}
