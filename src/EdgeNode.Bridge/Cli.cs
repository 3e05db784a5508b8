using System.CommandLine;
using System.Reflection;
using EdgeNode.Configuration;

namespace EdgeNode.Bridge;

/// <summary>The bridge's command line: run, validate, --version.</summary>
internal static class Cli
{
    public const int ExitOk = 0;
    public const int ExitFatal = 1;
    public const int ExitInvalidConfig = 2;

    public static string Version =>
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("edgenode-bridge: Sparkplug B to Kafka, typed records, no loss end to end");
        var configOption = new Option<FileInfo>("--config", "-c")
        {
            Description = "the bridge's YAML configuration file",
            Required = true,
        };

        var validate = new Command("validate", "check a configuration file; prints ok or one FILE:LINE:COLUMN line per problem") { configOption };
        validate.SetAction((parse, ct) => Task.FromResult(Validate(parse.GetValue(configOption)!)));
        root.Subcommands.Add(validate);

        var run = new Command("run", "run the bridge in the foreground until SIGTERM/SIGINT") { configOption };
        run.SetAction((parse, ct) => RunCommand.RunAsync(parse.GetValue(configOption)!));
        root.Subcommands.Add(run);

        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }

    private static int Validate(FileInfo file)
    {
        var result = BridgeConfigLoader.Load(file.ToString());
        if (result.IsValid)
        {
            Console.Out.WriteLine("ok");
            return ExitOk;
        }

        foreach (var error in result.Errors)
        {
            Console.Out.WriteLine(error.ToString());
        }

        return ExitInvalidConfig;
    }
}
