using EdgeNode.Systemd.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EdgeNode.Systemd.Tests.Logging;

[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>The console logger as the host builds it, writing through the real ConsoleLoggerProvider.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class SystemdLoggingBuilderExtensionsIntegrationTests
{
    [Fact]
    public void AddEdgeNodeConsole_Journal_WritesPriorityPrefixedLines()
    {
        var output = Capture(ConsoleLogFormat.Journal, logger =>
        {
            logger.LogInformation(new EventId(42, "Up"), "device {Device} up\nagain", "Turbine1");
            logger.LogWarning(new EventId(43), "broker {Broker} refused", "mqtt://127.0.0.1:1883");
        });

        Assert.Equal(
            ["<6>EdgeNode.Test[42] device Turbine1 up again", "<4>EdgeNode.Test[43] broker mqtt://127.0.0.1:1883 refused"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain('\u001b', output);
    }

    [Fact]
    public void AddEdgeNodeConsole_Plain_SingleLineWithTimestampNoPriority()
    {
        var output = Capture(ConsoleLogFormat.Plain, logger => logger.LogWarning(new EventId(43), "broker refused"));

        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} warn: EdgeNode\.Test\[43\] broker refused$", line);
    }

    [Fact]
    public void AddEdgeNodeConsole_Plain_ControlCharactersOfAMetricNameEscaped()
    {
        var output = Capture(ConsoleLogFormat.Plain, logger => logger.LogWarning(new EventId(44), "metric {Name} refused", "A\u001b]0;pwned\u0007"));

        Assert.DoesNotContain('\u001b', output);
        Assert.Contains("metric A\\x1B]0;pwned\\x07 refused", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEdgeNodeConsole_Auto_FollowsJournalStreamDetection()
    {
        using var services = new ServiceCollection().AddLogging(b => b.AddEdgeNodeConsole()).BuildServiceProvider();

        var formatterName = services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName;

        // The test host's stdout is a pipe to the runner, not the journal — unless the whole run is a systemd unit.
        Assert.Equal(JournalStream.IsJournalStream() ? JournalConsoleFormatter.FormatterName : PlainConsoleFormatter.FormatterName,
            formatterName);
        Assert.Contains(services.GetServices<ConsoleFormatter>(), f => f is JournalConsoleFormatter);
    }

    private static string Capture(ConsoleLogFormat format, Action<ILogger> log)
    {
        var original = Console.Out;
        using var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            // The provider binds Console.Out when it is created, so build it after SetOut.
            var services = new ServiceCollection().AddLogging(b => b.AddEdgeNodeConsole(format)).BuildServiceProvider();
            using (services)
            {
                log(services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Test"));
            }

            // Disposing the provider drains its queue.
            return writer.ToString();
        }
        finally
        {
            Console.SetOut(original);
        }
    }
}
