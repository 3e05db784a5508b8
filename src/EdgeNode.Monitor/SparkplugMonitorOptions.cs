using EdgeNode.Addressing;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;

namespace EdgeNode.Monitor;

/// <summary>What <see cref="SparkplugMonitor"/> connects to and how it prints.</summary>
public sealed class SparkplugMonitorOptions
{
    /// <summary>The broker (mqtt:// or mqtts://).</summary>
    public MqttServerEndpoint Server { get; set; } = new("127.0.0.1", MqttServerEndpoint.DefaultPort, UseTls: false);

    /// <summary>Only this Sparkplug group (STATE messages are shown regardless); null for every group.</summary>
    public string? Group { get; set; }

    /// <summary>User name, or null.</summary>
    public string? Username { get; set; }

    /// <summary>Password, or null.</summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the CA to trust for mqtts://; null for the system trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>MQTT client id; null for <c>edgenode-monitor-</c> plus a random suffix (two monitors never collide).</summary>
    public string? ClientId { get; set; }

    /// <summary>One JSON object per line instead of text blocks.</summary>
    public bool Json { get; set; }

    /// <summary>Stop after this many messages; null to run until cancelled.</summary>
    public int? Count { get; set; }

    /// <summary>ANSI colours in text output (set it only when the output is a terminal).</summary>
    public bool Color { get; set; }

    /// <summary>Zone for times in text output; null for the local zone.</summary>
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>The topic filters the monitor subscribes to.</summary>
    public IReadOnlyList<string> TopicFilters => Group is { } group
        ? [$"{SparkplugNames.Namespace}/{group}/#", $"{SparkplugNames.Namespace}/STATE/+", "STATE/+"]
        : [$"{SparkplugNames.Namespace}/#", "STATE/+"];

    /// <summary>Every problem of these options, in words for the command line (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Server is null)
        {
            errors.Add("no broker given");
        }

        if (Group is not null && !SparkplugId.IsValid(Group, out var reason))
        {
            errors.Add($"--group '{Group}' {reason}");
        }

        if (Count is <= 0)
        {
            errors.Add("--count must be at least 1");
        }

        if (Password is not null && Username is null)
        {
            errors.Add("--password needs --username");
        }

        if (CaFile is not null)
        {
            if (Server is { UseTls: false })
            {
                errors.Add("--ca-file needs an mqtts:// URL");
            }

            if (!File.Exists(CaFile))
            {
                errors.Add($"--ca-file '{CaFile}' does not exist");
            }
        }

        return errors;
    }
}
