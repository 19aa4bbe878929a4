using Microsoft.Extensions.Options;

namespace ResilientGrpc.Interceptors.DependencyInjection;

/// <summary>
/// Validates a named client's <see cref="ResilienceOptions"/> at host start, naming configuration keys
/// (<c>Resilience:Retry:MaxAttempts</c>) when the options came from configuration.
/// </summary>
internal sealed class ResilienceOptionsValidator(string name, string? configurationPath) : IValidateOptions<ResilienceOptions>
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
            }

            return ValidateOptionsResult.Fail($"Resilience settings of gRPC client '{name}' are invalid: {message}");
        }
    }
}
