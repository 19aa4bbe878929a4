using ResilientGrpc.Benchmarks;

return await Commands.RunAsync(args).ConfigureAwait(false);
