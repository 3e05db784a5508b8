using System.CommandLine;
using EdgeNode.Monitor;
using EdgeNode.Mqtt;

namespace EdgeNode;

/// <summary>
/// <c>edgenode monitor</c>: a Sparkplug sniffer a technician can point at any broker. Decoded messages go to stdout
/// (text blocks, or JSON lines with <c>--json</c>); connection news to stderr. Exit 0 after <c>--count</c> messages
/// (Ctrl-C and SIGTERM: System.CommandLine's 130/143), 2 for bad options, 1 when the broker refuses the connection.
/// </summary>
internal static class MonitorCommand
{
    internal static Command Create()
    {
        var url = new Option<string>("--url", "-u")
        {
            Description = "the broker: mqtt://host[:1883] or mqtts://host[:8883]",
            DefaultValueFactory = _ => "mqtt://127.0.0.1:1883",
        };
        var group = new Option<string?>("--group", "-g") { Description = "only this Sparkplug group (STATE messages are always shown)" };
        var json = new Option<bool>("--json") { Description = "one JSON object per line (for scripts) instead of text blocks" };
        var count = new Option<int?>("--count", "-n") { Description = "exit after N messages" };
        var noColor = new Option<bool>("--no-color") { Description = "no ANSI colours (they are used only when stdout is a terminal anyway)" };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM file of the CA to trust for mqtts:// (default: the system store)" };
        var username = new Option<string?>("--username") { Description = "MQTT user name" };
        var password = new Option<string?>("--password") { Description = "MQTT password" };

        var command = new Command("monitor", "print the decoded Sparkplug B traffic of a broker (spBv1.0/# and STATE)")
        {
            url, group, json, count, noColor, caFile, username, password,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!MqttServerEndpoint.TryParse(parse.GetValue(url), out var endpoint, out var urlError))
            {
                await Console.Error.WriteLineAsync($"edgenode monitor: --url: {urlError}").ConfigureAwait(false);
                return Cli.ExitInvalidConfig;
            }

            var options = new SparkplugMonitorOptions
            {
                Server = endpoint,
                Group = parse.GetValue(group),
                Json = parse.GetValue(json),
                Count = parse.GetValue(count),
                // NO_COLOR (no-color.org) is honoured as well as --no-color.
                Color = !parse.GetValue(noColor) && !Console.IsOutputRedirected
                    && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")),
                CaFile = parse.GetValue(caFile),
                Username = parse.GetValue(username),
                Password = parse.GetValue(password),
            };
            return await RunAsync(options, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(SparkplugMonitorOptions options, CancellationToken cancellationToken)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"edgenode monitor: {error}").ConfigureAwait(false);
            }

            return Cli.ExitInvalidConfig;
        }

        try
        {
            await new SparkplugMonitor(options, Console.Out, Console.Error).RunAsync(cancellationToken).ConfigureAwait(false);
            return Cli.ExitOk;
        }
        catch (MonitorRefusedException ex)
        {
            await Console.Error.WriteLineAsync($"edgenode monitor: {ex.Message}").ConfigureAwait(false);
            return Cli.ExitFatal;
        }
    }
}
