using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.DependencyInjection;

/// <summary>
/// Validates a named client's <see cref="ResilienceOptions"/> at host start. Options read from a configuration
/// <paramref name="section"/> are named by configuration path (<c>Resilience:Retry:MaxAttempts</c>), and the keys of
/// the section that cannot be used (unknown, or unreadable) are reported in the same message; options from code are
/// named by property (<c>RetryOptions.MaxAttempts</c>). When the client registered under <paramref name="name"/> is a
/// generated one, the hedged methods are also checked against the methods of its service, found in
/// <paramref name="services"/>.
/// </summary>
internal sealed class ResilienceOptionsValidator(string name, IConfiguration? section, IServiceProvider services) : IValidateOptions<ResilienceOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, ResilienceOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = OptionsProblems.InCode();
        if (section is not null)
        {
            // The options were read from the section before code configured them further; reading it again, onto
            // defaults, finds the keys that reading could not use.
            problems = OptionsProblems.InConfiguration(ResilienceConfiguration.PathOf(section));
            ResilienceConfiguration.Read(section, new ResilienceOptions(), problems);
        }

        options.Validate(problems);
        if (options.Hedging is { HedgedMethods.Count: > 0 } && ServiceOfClient() is { } service)
        {
            options.ValidateHedgedMethodsOf(service, problems);
        }

        return problems.IsEmpty
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Resilience settings of gRPC client '{name}' are invalid: {problems}");
    }

    /// <summary>The methods of the service the client named <c>name</c> calls, when it is a generated client.</summary>
    private ServiceMethods? ServiceOfClient() =>
        GrpcClientTypes.Of(services, name) is { } client ? GeneratedServiceMethods.Of(client) : null;
}
