using EdgeNode.Bridge;

return await Cli.RunAsync(args).ConfigureAwait(false);
