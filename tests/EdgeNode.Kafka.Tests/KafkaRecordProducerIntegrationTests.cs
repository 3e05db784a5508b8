using System.Diagnostics;
using System.Text;
using EdgeNode.KafkaMock;
using EdgeNode.Testing;

namespace EdgeNode.Kafka.Tests;

public sealed class KafkaRecordProducerIntegrationTests
{
    [Fact]
    public void Library_Load_PinsTheShippedBuildNotTheSystemOne()
    {
        var path = RdKafkaLibrary.Load();
        Assert.StartsWith(AppContext.BaseDirectory, path, StringComparison.Ordinal);
        Assert.StartsWith("2.16", RdKafkaLibrary.VersionString, StringComparison.Ordinal);
        Assert.True(Confluent.Kafka.Library.Version >= RdKafkaLibrary.MinimumVersion);
    }

    [Fact]
    public async Task Produce_OneKey_ConfirmedAndReadBackInOrderByKcat()
    {
        using var cluster = new MockKafkaCluster(3);
        cluster.CreateTopic("order", 4);
        using var producer = new KafkaRecordProducer(new KafkaProducerOptions { BootstrapServers = cluster.BootstrapServers });
        var batch = new DeliveryBatch();
        for (var i = 0; i < 200; i++)
        {
            await producer.ProduceAsync("order", "G/N/D"u8.ToArray(), Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                batch, null, default);
        }

        batch.Seal();
        Assert.True(await batch.Completion.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, producer.Pending);
        Assert.Equal(200, producer.ProducedByTopic["order"]);

        var kcat = Peers.RequireDebian("/usr/bin/kcat", "kcat");
        var info = new ProcessStartInfo(kcat) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-C", "-b", cluster.BootstrapServers, "-t", "order", "-e", "-q", "-f", "%k %s\n"])
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"G/N/D {i}"), output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Availability_AllBrokersDown_UnavailableThenBackWithNothingLost()
    {
        using var cluster = new MockKafkaCluster(2);
        using var producer = new KafkaRecordProducer(new KafkaProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            StallTimeout = TimeSpan.FromSeconds(1),
            ProbeTopic = "health",
        });
        using var stop = new CancellationTokenSource();
        var health = producer.RunHealthAsync(stop.Token);
        await WaitUntilAsync(() => producer.IsAvailable, TimeSpan.FromSeconds(30), "available at start");

        cluster.SetAllDown();
        var batch = new DeliveryBatch();
        await producer.ProduceAsync("health", null, "during the outage"u8.ToArray(), batch, null, default);
        batch.Seal();
        await WaitUntilAsync(() => !producer.IsAvailable, TimeSpan.FromSeconds(30), "unavailable while every broker is down");
        Assert.False(batch.Completion.IsCompleted);

        cluster.SetAllUp();
        await WaitUntilAsync(() => producer.IsAvailable, TimeSpan.FromSeconds(90), "available again");
        Assert.True(await batch.Completion.WaitAsync(TimeSpan.FromSeconds(60)));
        await stop.CancelAsync();
        await health;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not {what} within {timeout.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }
}
