using EdgeNode;

return await Cli.RunAsync(args).ConfigureAwait(false);
