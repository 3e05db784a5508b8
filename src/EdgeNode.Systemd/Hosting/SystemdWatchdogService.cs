using Microsoft.Extensions.Hosting;

namespace EdgeNode.Systemd.Hosting;

/// <summary>
/// Runs the <see cref="WatchdogPacer"/> for the host's lifetime and sends <c>STOPPING=1</c> when the host begins to
/// stop. <c>READY=1</c> is not sent here: the node sends it once its configuration is loaded and the first broker
/// connection was attempted.
/// </summary>
internal sealed class SystemdWatchdogService(WatchdogPacer pacer, ISystemdNotifier notifier, IHostApplicationLifetime lifetime)
    : BackgroundService
{
    private CancellationTokenRegistration _stopping;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(static state => ((ISystemdNotifier)state!).Stopping(), notifier);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _stopping.DisposeAsync().ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await pacer.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping
        }
    }
}
