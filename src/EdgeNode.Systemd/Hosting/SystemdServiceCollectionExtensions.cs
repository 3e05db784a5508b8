using EdgeNode.Systemd.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the systemd integration for a generic host.</summary>
public static class SystemdServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="EdgeNode.Systemd.ISystemdNotifier"/> (for <c>$NOTIFY_SOCKET</c>), a <see cref="EdgeNode.Systemd.WatchdogPacer"/>
    /// (for <c>$WATCHDOG_USEC</c>) and a hosted service that runs the pacer and sends <c>STOPPING=1</c> on
    /// <c>ApplicationStopping</c>. All of it is inert outside systemd.
    /// </summary>
    public static IServiceCollection AddEdgeNodeSystemd(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<EdgeNode.Systemd.ISystemdNotifier>(sp =>
            new EdgeNode.Systemd.SystemdNotifier(sp.GetService<ILogger<EdgeNode.Systemd.SystemdNotifier>>()));
        services.TryAddSingleton(sp => new EdgeNode.Systemd.WatchdogPacer(
            sp.GetRequiredService<EdgeNode.Systemd.ISystemdNotifier>(), sp.GetService<ILogger<EdgeNode.Systemd.WatchdogPacer>>()));
        services.AddHostedService<SystemdWatchdogService>();
        return services;
    }
}
