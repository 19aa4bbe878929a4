using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>The <see cref="ResilienceTelemetry.MeterName"/> meter, one per <see cref="IMeterFactory"/> or one shared; instruments made once per meter.</summary>
internal static class ResilienceMeter
{
    private static readonly Lazy<Meter> SharedMeter = new(() => new Meter(Options()));

    private static readonly ConditionalWeakTable<IMeterFactory, Meter> PerFactory = [];

    /// <summary>The version the meter reports: the interceptor assembly's informational version.</summary>
    public static string? Version { get; } = typeof(ResilienceMeter).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static Meter For(IMeterFactory? meterFactory) =>
        meterFactory is null ? SharedMeter.Value : PerFactory.GetValue(meterFactory, static f => f.Create(Options()));

    /// <summary>The instruments <paramref name="create"/> makes on <paramref name="meter"/>, once per meter and instrument set.</summary>
    public static TInstruments Instruments<TInstruments>(Meter meter, Func<Meter, TInstruments> create)
        where TInstruments : class =>
        InstrumentCache<TInstruments>.PerMeter.GetValue(meter, m => create(m));

    private static MeterOptions Options() => new(ResilienceTelemetry.MeterName) { Version = Version };

    private static class InstrumentCache<TInstruments>
        where TInstruments : class
    {
        public static readonly ConditionalWeakTable<Meter, TInstruments> PerMeter = [];
    }
}
