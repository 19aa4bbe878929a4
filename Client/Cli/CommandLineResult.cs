namespace ResilientGrpc.Client.Cli;

/// <summary>The outcome of parsing the command line: options to run with, a request for help, or an error.</summary>
internal sealed record CommandLineResult
{
    private CommandLineResult()
    {
    }

    public ClientOptions? Options { get; private init; }

    public string? Error { get; private init; }

    public bool ShowHelp { get; private init; }

    public static CommandLineResult Run(ClientOptions options) => new() { Options = options };

    public static CommandLineResult Help() => new() { ShowHelp = true };

    public static CommandLineResult Fail(string error) => new() { Error = error };
}
