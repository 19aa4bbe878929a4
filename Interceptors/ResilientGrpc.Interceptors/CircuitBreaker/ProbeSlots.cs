using System.Diagnostics;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>The probes of one half-open period, out of <see cref="CircuitBreakerOptions.HalfOpenProbes"/>; kept under the controller's lock.</summary>
internal struct ProbeSlots(int probes)
{
    private int admitted;
    private int succeeded;

    public bool TryAdmit()
    {
        if (admitted >= probes)
        {
            return false;
        }

        admitted++;
        return true;
    }

    public bool Succeeded() => ++succeeded >= probes;

    /// <summary>A probe the caller cancelled or abandoned proves nothing: its slot is free for the next caller.</summary>
    public void Free() => admitted--;

    public void Clear() => (admitted, succeeded) = (0, 0);

    [Conditional("DEBUG")]
    public readonly void AssertValid(bool halfOpen)
    {
        Debug.Assert(admitted >= 0 && admitted <= probes, "probe slots stay within HalfOpenProbes");
        Debug.Assert(succeeded >= 0 && succeeded <= admitted, "only admitted probes succeed");
        Debug.Assert(halfOpen || admitted == 0, "probes exist only while half-open");
    }
}
