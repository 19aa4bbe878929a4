using ResilientGrpc.Client.Hosting;

// The demo client. No arguments: the narrated demo against the chaos service hosted in-process.
// --fast: the same, ten times quicker. --server URL: continuous load for Docker Compose. --help for the rest.
return await ClientApplication.RunAsync(args, Console.Out, Console.Error);
