using System.CommandLine;
using EdgeNode.Configuration;
using EdgeNode.Engine;
using EdgeNode.Storage;
using EdgeNode.Storage.Inspection;
using Microsoft.Data.Sqlite;

namespace EdgeNode;

/// <summary>
/// <c>edgenode store --config FILE</c>: what the store-and-forward buffer holds (pending changes per device,
/// oldest/newest timestamps, size, dropped). Read-only through <see cref="ForwardStoreInspector"/>, so a technician
/// may run it beside the running service without disturbing it.
/// </summary>
internal static class StoreCommand
{
    internal static Command Create()
    {
        var configOption = new Option<FileInfo>("--config", "-c")
        {
            Description = "the node's YAML configuration file (names the store: storeForward.path, else store.db in the state directory)",
            Required = true,
        };
        var command = new Command("store", "show what the store-and-forward buffer holds (read-only, safe while the node runs)")
        {
            configOption,
        };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(configOption)!, Console.Out, Console.Error, ct)));
        return command;
    }

    private static int Run(FileInfo file, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var load = EdgeNodeConfigLoader.Load(file.FullName);
        if (!load.IsValid)
        {
            // The same lines as validate and run, so a script treats all three alike.
            foreach (var problem in load.Errors)
            {
                output.WriteLine(problem.ToString());
            }

            return Cli.ExitInvalidConfig;
        }

        var section = load.Config!.StoreForward;
        var stateDirectory = StateDirectory.Resolve();
        var path = section.Path ?? ForwardStoreOptions.DefaultPath(stateDirectory);
        if (!section.Enabled)
        {
            output.WriteLine($"note:      storeForward.enabled is false in {file.FullName}: the node does not buffer; showing what is left");
        }

        try
        {
            ForwardStoreInspector.Inspect(path, cancellationToken: cancellationToken).WriteText(output);
            return Cli.ExitOk;
        }
        catch (FileNotFoundException)
        {
            // The usual cause by hand is the state directory: systemd sets $STATE_DIRECTORY for the service only.
            error.WriteLine(section.Path is null
                ? $"edgenode store: no store at {path} (state directory {stateDirectory}; under systemd it is /var/lib/edgenode: " +
                  "run with STATE_DIRECTORY=/var/lib/edgenode, or set storeForward.path). The node creates it when it first runs."
                : $"edgenode store: no store at {path} (storeForward.path); the node creates it when it first runs.");
            return Cli.ExitFatal;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or SqliteException)
        {
            error.WriteLine($"edgenode store: {ex.Message}");
            return Cli.ExitFatal;
        }
    }
}
