using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.DependencyInjection;

/// <summary>
/// Validates a named client's <see cref="OutlierDetectionOptions"/> at host start, as <see cref="ResilienceOptionsValidator"/>
/// validates its resilience settings: read from a configuration <paramref name="section"/>, they are named by
/// configuration path, with the keys that cannot be used; from code, by property.
/// </summary>
internal sealed class OutlierDetectionOptionsValidator(string name, IConfiguration? section) : IValidateOptions<OutlierDetectionOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, OutlierDetectionOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = OptionsProblems.InCode().Scope(nameof(OutlierDetectionOptions));
        if (section is not null)
        {
            // Reading the section again, onto defaults, finds the keys the first reading could not use.
            problems = OptionsProblems.InConfiguration(ResilienceConfiguration.PathOf(section));
            ResilienceConfiguration.Read(section, new OutlierDetectionOptions(), problems);
        }

        options.Validate(problems);
        return problems.IsEmpty
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Outlier detection settings of gRPC client '{name}' are invalid: {problems}");
    }
}
