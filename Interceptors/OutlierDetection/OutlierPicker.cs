using Grpc.Net.Client.Balancer;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// Round robin over the ready subchannels that skips the ones the detector refuses. The pick that takes an endpoint's
/// readmission probe marks its request, so the status handler reports the probe's verdict. When the detector refuses
/// every ready endpoint (only while the cap is being reached by a racing ejection), the round robin's own pick is taken:
/// a call never fails for want of an endpoint.
/// </summary>
internal sealed class OutlierPicker : SubchannelPicker
{
    private readonly Subchannel[] subchannels;
    private readonly string[] endpoints;
    private readonly OutlierDetector detector;
    private long pickCount;

    public OutlierPicker(IReadOnlyList<Subchannel> readySubchannels, OutlierDetector detector, long pickCount)
    {
        subchannels = [.. readySubchannels];
        endpoints = [.. subchannels.Select(EndpointOf)];
        this.detector = detector;
        this.pickCount = pickCount;
    }

    /// <summary>The endpoints this picker chooses among, in their round-robin order.</summary>
    public IReadOnlyList<string> Endpoints => endpoints;

    public override PickResult Pick(PickContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request is { } request && ProbeMark.Take(request) is { } abandoned)
        {
            // The balancer picks again when the subchannel it got stopped being ready: that probe never went.
            detector.ReleaseProbe(abandoned);
        }

        var count = subchannels.Length;
        var first = (ulong)Interlocked.Increment(ref pickCount);
        for (var i = 0; i < count; i++)
        {
            var index = (int)((first + (ulong)i) % (ulong)count);
            switch (detector.Admit(endpoints[index]))
            {
                case Admission.Pass:
                    return PickResult.ForSubchannel(subchannels[index]);
                case Admission.Probe:
                    if (context.Request is { } probed)
                    {
                        ProbeMark.Set(probed, endpoints[index]);
                    }

                    return PickResult.ForSubchannel(subchannels[index]);
            }
        }

        return PickResult.ForSubchannel(subchannels[(int)(first % (ulong)count)]);
    }

    public override string ToString() => string.Join(", ", endpoints);

    private static string EndpointOf(Subchannel subchannel) =>
        subchannel.CurrentAddress is { } address ? ProbeMark.NameOf(address)
            : subchannel.GetAddresses() is [var first, ..] ? ProbeMark.NameOf(first)
            : subchannel.ToString();
}
