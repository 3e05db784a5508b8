using EdgeNode.Configuration;
using EdgeNode.Engine;

namespace EdgeNode.Web;

/// <summary>What the console needs from the running node (<c>edgenode run</c> implements it).</summary>
public interface INodeHost
{
    /// <summary>The configuration file (absolute path).</summary>
    string ConfigPath { get; }

    /// <summary>The configuration in force (the last one that validated and was applied).</summary>
    EdgeNodeConfig Config { get; }

    /// <summary>The engine of the current session (null between a stop and the next start).</summary>
    EdgeNodeEngine? Engine { get; }

    /// <summary>Counters that outlive engines.</summary>
    NodeTelemetry Telemetry { get; }

    /// <summary>The node's version.</summary>
    string Version { get; }

    /// <summary>Reloads the configuration file exactly as SIGHUP does; <paramref name="why"/> is logged.</summary>
    ReloadOutcome Reload(string why);
}

/// <summary>What a reload did.</summary>
/// <param name="Applied">The file validated and the node is applying it.</param>
/// <param name="Message">One line for the user: how it is applied, or why it was refused.</param>
public sealed record ReloadOutcome(bool Applied, string Message);
