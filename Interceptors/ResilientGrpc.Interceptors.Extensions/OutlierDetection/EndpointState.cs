namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>Where one endpoint stands with the detector.</summary>
internal enum EndpointState
{
    /// <summary>Picked as usual; its attempts are counted.</summary>
    Healthy,

    /// <summary>Left out of the picks until its ejection time is over.</summary>
    Ejected,

    /// <summary>Its ejection is over and its one probe is out; left out of the other picks until the probe answers.</summary>
    Probing,
}
