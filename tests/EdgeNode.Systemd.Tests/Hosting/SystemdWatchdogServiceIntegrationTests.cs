using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeNode.Systemd.Tests.Hosting;

/// <summary>AddEdgeNodeSystemd in a real generic host, with a real notify socket.</summary>
public sealed class SystemdWatchdogServiceIntegrationTests
{
    [Fact]
    public async Task Host_StartAndStop_PingsThenSendsStopping()
    {
        using var socket = NotifySocket.BindAbstract();
        using var notifier = new SystemdNotifier(socket.Address);
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromMilliseconds(400), TimeProvider.System);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<ISystemdNotifier>(notifier);
        builder.Services.AddSingleton(pacer);
        builder.Services.AddEdgeNodeSystemd();
        using var host = builder.Build();

        await host.StartAsync();
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());

        await host.StopAsync();

        // STOPPING=1 comes on ApplicationStopping; a ping may still have been in flight just before it.
        string message;
        do
        {
            message = await socket.ReceiveAsync();
        }
        while (message == "WATCHDOG=1");

        Assert.Equal("STOPPING=1", message);
        Assert.Null(await socket.TryReceiveAsync(TimeSpan.FromMilliseconds(600)));
    }

    [Fact]
    public void AddEdgeNodeSystemd_OutsideSystemd_ResolvesInertServices()
    {
        using var services = new ServiceCollection().AddLogging().AddEdgeNodeSystemd().BuildServiceProvider();

        var notifier = services.GetRequiredService<ISystemdNotifier>();
        var pacer = services.GetRequiredService<WatchdogPacer>();

        Assert.Equal(Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 }, notifier.IsEnabled);
        Assert.Equal(WatchdogPacer.GetWatchdogTimeout(), pacer.WatchdogTimeout);
    }
}
