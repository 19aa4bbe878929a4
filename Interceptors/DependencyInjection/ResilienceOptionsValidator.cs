using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.DependencyInjection;

/// <summary>
/// Validates a named client's <see cref="ResilienceOptions"/> at host start, naming configuration keys
/// (<c>Resilience:Retry:MaxAttempts</c>) when the options came from configuration, and options properties
/// (<c>RetryOptions.MaxAttempts</c>) when they came from code.
/// </summary>
internal sealed class ResilienceOptionsValidator(string name, string? configurationPath) : IValidateOptions<ResilienceOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, ResilienceOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = configurationPath is null ? OptionsProblems.InCode() : OptionsProblems.InConfiguration(configurationPath);
        options.Validate(problems);
        return problems.IsEmpty
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Resilience settings of gRPC client '{name}' are invalid: {problems}");
    }
}
