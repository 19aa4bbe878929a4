using Grpc.Core;

namespace ResilientGrpc.Server.Chaos;

/// <summary>Maps gRPC status names (<c>UNAVAILABLE</c>, <c>DEADLINE_EXCEEDED</c>, <c>Unavailable</c>) to codes.</summary>
internal static class ChaosStatusCodes
{
    private static readonly Dictionary<string, StatusCode> ByName = Enum.GetValues<StatusCode>()
        .ToDictionary(code => Normalize(code.ToString()), code => code, StringComparer.Ordinal);

    public static string AllowedNames { get; } =
        string.Join(", ", Enum.GetValues<StatusCode>().Where(c => c != StatusCode.OK).Select(ToName));

    public static bool TryParse(string name, out StatusCode code) => ByName.TryGetValue(Normalize(name), out code);

    /// <summary>The canonical gRPC spelling, for example <c>DEADLINE_EXCEEDED</c>.</summary>
    public static string ToName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.DataLoss => "DATA_LOSS",
        _ => code.ToString().ToUpperInvariant(),
    };

    private static string Normalize(string name) => name.Trim().Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
}
