using System.Globalization;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>How the soak's report writes its numbers (invariant culture).</summary>
internal static class SoakFormat
{
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    /// <summary>Bytes as megabytes (MiB) with two decimals.</summary>
    public static string Mb(double bytes) => (bytes / 1048576.0).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>A change in bytes as signed megabytes (MiB) with two decimals.</summary>
    public static string SignedMb(double bytes) => (bytes / 1048576.0).ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture);

    public static string Percent(double value) => value.ToString("0.0 %", CultureInfo.InvariantCulture);
}
