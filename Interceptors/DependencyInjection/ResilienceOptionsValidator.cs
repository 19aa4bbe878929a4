using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ResilientGrpc.Interceptors.DependencyInjection;

/// <summary>
/// Validates a named client's <see cref="ResilienceOptions"/> at host start, naming configuration keys
/// (<c>Resilience:Retry:MaxAttempts</c>) when the options came from configuration.
/// </summary>
internal sealed partial class ResilienceOptionsValidator(string name, string? configurationPath) : IValidateOptions<ResilienceOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, ResilienceOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            var message = ex.Message;
            if (configurationPath is not null)
            {
                message = message
                    .Replace("DeadlineOptions.", $"{configurationPath}:Deadline:", StringComparison.Ordinal)
                    .Replace("RetryOptions.Throttling.", $"{configurationPath}:Retry:Throttling:", StringComparison.Ordinal)
                    .Replace("RetryOptions.", $"{configurationPath}:Retry:", StringComparison.Ordinal)
                    .Replace("CircuitBreakerOptions.", $"{configurationPath}:CircuitBreaker:", StringComparison.Ordinal);
                message = PerMethodEntry().Replace(message, ":${key}");
            }

            return ValidateOptionsResult.Fail($"Resilience settings of gRPC client '{name}' are invalid: {message}");
        }
    }

    /// <summary>A per-method entry as options name it (<c>StreamIdleTimeouts[key]</c>), to name it as configuration does (<c>StreamIdleTimeouts:key</c>).</summary>
    [GeneratedRegex(@"(?<=:Deadline:(?:MethodTimeouts|StreamIdleTimeouts))\[(?<key>[^\]]*)\]", RegexOptions.CultureInvariant)]
    private static partial Regex PerMethodEntry();
}
