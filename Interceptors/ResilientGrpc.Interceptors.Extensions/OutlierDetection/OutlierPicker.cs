using Grpc.Net.Client.Balancer;
using ResilientGrpc.Interceptors.Internal;

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
        var start = (ulong)Interlocked.Increment(ref pickCount);
        return PickResult.ForSubchannel(subchannels[Choose(endpoints, start, detector, context.Request)]);
    }

    /// <summary>
    /// The index of the endpoint to pick, trying first the one at <paramref name="start"/>, then the others in an order that
    /// rotates with each round (so a refused endpoint's turns are spread evenly over the rest): the first the detector
    /// passes or gives its probe to (marking <paramref name="request"/>), or the one at <paramref name="start"/> when it
    /// refuses all. A retried or hedged attempt (it carries <c>grpc-previous-rpc-attempts</c>) first tries only the
    /// endpoints whose last attempt did not fail, so it leaves the endpoint its previous attempt most likely failed on. A
    /// probe mark left by an earlier pick of the same request is released first: grpc-dotnet picks again when the
    /// subchannel it got stopped being ready, and that probe never went.
    /// </summary>
    internal static int Choose(IReadOnlyList<string> endpoints, ulong start, OutlierDetector detector, HttpRequestMessage? request)
    {
        if (request is not null && ProbeMark.Take(request) is { } abandoned)
        {
            detector.ReleaseProbe(abandoned);
        }

        var count = (ulong)endpoints.Count;
        var retried = request is not null && request.Headers.Contains(RetryHeaders.PreviousAttempts);

        // When the turn's own endpoint is refused, the others are tried from a point that moves on each round, so the
        // refused endpoint's turns are shared evenly among them rather than all going to the one after it.
        var rotation = count > 1 ? start / count % (count - 1) : 0;
        for (var pass = retried ? 0 : 1; /* Stryker disable once Equality : a third pass would only repeat the refusals of the second */ pass < 2; pass++)
        {
            for (ulong i = 0; i < count; i++)
            {
                var index = (int)((start + (i == 0 ? 0 : 1 + ((i - 1 + rotation) % (count - 1)))) % count);
                if (pass == 0 && detector.LastAttemptFailed(endpoints[index]))
                {
                    continue;
                }

                switch (detector.Admit(endpoints[index]))
                {
                    case Admission.Pass:
                        return index;
                    case Admission.Probe:
                        if (request is not null)
                        {
                            ProbeMark.Set(request, endpoints[index]);
                        }

                        return index;
                }
            }
        }

        return (int)(start % count);
    }

    // Stryker disable once String : diagnostics for the balancer's debug logs; no decision reads it.
    public override string ToString() => string.Join(", ", endpoints);

    private static string EndpointOf(Subchannel subchannel) =>
        subchannel.CurrentAddress is { } address ? ProbeMark.NameOf(address)
            : subchannel.GetAddresses() is [var first, ..] ? ProbeMark.NameOf(first)
            : subchannel.ToString();
}
