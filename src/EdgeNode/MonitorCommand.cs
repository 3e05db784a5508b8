using System.CommandLine;
using EdgeNode.Addressing;
using EdgeNode.Configuration;
using EdgeNode.Monitor;

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
        var password = new Option<string?>("--password")
        {
            Description = $"MQTT password (visible to every user in ps: prefer --password-file or ${PasswordVariable})",
        };
        var passwordFile = new Option<FileInfo?>("--password-file")
        {
            Description = $"read the MQTT password from the first line of this file (or set ${PasswordVariable})",
        };

        var command = new Command("monitor", "print the decoded Sparkplug B traffic of a broker (spBv1.0/# and STATE)")
        {
            url, group, json, count, noColor, caFile, username, password, passwordFile,
        };
        command.SetAction(async (parse, ct) =>
        {
            var urlText = parse.GetValue(url) ?? "";
            if (Credentials.HasUserInfo(urlText))
            {
                // Our own words: the parser's message would repeat the URL, password included.
                await Console.Error.WriteLineAsync(
                    $"edgenode monitor: --url: server URL '{Credentials.RedactUrl(urlText)}': credentials in the URL are not supported; " +
                    $"use --username with --password-file or ${PasswordVariable}").ConfigureAwait(false);
                return Cli.ExitInvalidConfig;
            }

            if (!MqttServerEndpoint.TryParse(urlText, out var endpoint, out var urlError))
            {
                await Console.Error.WriteLineAsync($"edgenode monitor: --url: {urlError}").ConfigureAwait(false);
                return Cli.ExitInvalidConfig;
            }

            var (secret, passwordError) = ResolvePassword(parse.GetValue(password), parse.GetValue(passwordFile),
                Environment.GetEnvironmentVariable(PasswordVariable));
            if (passwordError is not null)
            {
                await Console.Error.WriteLineAsync($"edgenode monitor: {passwordError}").ConfigureAwait(false);
                return Cli.ExitInvalidConfig;
            }

            if (parse.GetValue(password) is not null)
            {
                await Console.Error.WriteLineAsync(
                    $"edgenode monitor: warning: --password is visible to every user of this machine (ps, /proc); use --password-file FILE or ${PasswordVariable}")
                    .ConfigureAwait(false);
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
                Password = secret,
            };
            return await RunAsync(options, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The environment variable the password may come from (not visible in ps, unlike an argument).</summary>
    internal const string PasswordVariable = "EDGENODE_MONITOR_PASSWORD";

    /// <summary>An MQTT password is at most 65,535 bytes [MQTT-1.5.6]; a longer file is not a password file.</summary>
    private const int MaxPasswordFileBytes = 65_536;

    /// <summary>
    /// The password from <c>--password</c> (kept for scripts, with a warning), <c>--password-file</c> (its first line,
    /// without the line end) or <c>$EDGENODE_MONITOR_PASSWORD</c>, in that order; two options at once are an error.
    /// </summary>
    internal static (string? Password, string? Error) ResolvePassword(string? argument, FileInfo? file, string? environment)
    {
        if (argument is not null && file is not null)
        {
            return (null, "give --password or --password-file, not both");
        }

        if (argument is not null)
        {
            return (argument, null);
        }

        if (file is null)
        {
            return (string.IsNullOrEmpty(environment) ? null : environment, null);
        }

        try
        {
            if (Directory.Exists(file.FullName))
            {
                return (null, $"--password-file '{file}' is a directory");
            }

            using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (!stream.CanSeek || stream.Length > MaxPasswordFileBytes)
            {
                return (null, $"--password-file '{file}' is not a small regular file (a password file holds one line)");
            }

            using var reader = new StreamReader(stream);
            var line = reader.ReadLine() ?? "";
            return line.Length == 0 ? (null, $"--password-file '{file}' is empty") : (line, null);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, $"--password-file '{file}' does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            return (null, $"--password-file '{file}' is not readable (permission denied)");
        }
        catch (IOException ex)
        {
            return (null, $"--password-file '{file}' cannot be read: {ex.Message}");
        }
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
