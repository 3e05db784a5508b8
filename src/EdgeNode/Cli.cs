using System.CommandLine;
using System.Reflection;

namespace EdgeNode;

/// <summary>The command line of the contract: run, validate, --version (and the technician's tools).</summary>
internal static class Cli
{
    public const int ExitOk = 0;
    public const int ExitFatal = 1;
    public const int ExitInvalidConfig = 2;

    public static string Version =>
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("EdgeNode: a Sparkplug B edge node for Modbus, GPIO and I2C on Linux gateways");

        var configOption = new Option<FileInfo>("--config", "-c")
        {
            Description = "the node's YAML configuration file",
            Required = true,
        };

        var validate = new Command("validate", "check a configuration file; prints ok or one FILE:LINE:COLUMN line per problem")
        {
            configOption,
        };
        validate.SetAction((parse, ct) => Task.FromResult(Validate(parse.GetValue(configOption)!)));
        root.Subcommands.Add(validate);

        var run = new Command("run", "run the node in the foreground until SIGTERM/SIGINT") { configOption };
        run.SetAction((parse, ct) => RunCommand.RunAsync(parse.GetValue(configOption)!));
        root.Subcommands.Add(run);
        root.Subcommands.Add(StoreCommand.Create());
        root.Subcommands.Add(MonitorCommand.Create());
        root.Subcommands.Add(PasswdCommand.Create());

        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }

    private static int Validate(FileInfo file)
    {
        // The path as typed, so each line works as an editor's FILE:LINE:COLUMN jump target from where the user stands.
        var result = Configuration.EdgeNodeConfigLoader.Load(file.ToString());
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
