using System.Runtime.InteropServices;
using EdgeNode.KafkaMock;

// edgenode-kafka-mock [--brokers N] [--partitions P] [--topic NAME]... [--bootstrap-file PATH]
// A development tool: a local Kafka-protocol broker for the demo and the benchmark (never for production).
// It prints "bootstrap <servers>" on stdout, then reads commands from stdin: "down", "up", "down N", "up N", "quit".
var brokers = 1;
var partitions = 3;
var topics = new List<string>();
string? bootstrapFile = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--brokers" when i + 1 < args.Length:
            brokers = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--partitions" when i + 1 < args.Length:
            partitions = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--topic" when i + 1 < args.Length:
            topics.Add(args[++i]);
            break;
        case "--bootstrap-file" when i + 1 < args.Length:
            bootstrapFile = args[++i];
            break;
        default:
            await Console.Error.WriteLineAsync(
                "usage: edgenode-kafka-mock [--brokers N] [--partitions P] [--topic NAME]... [--bootstrap-file PATH]  (a test tool)")
                .ConfigureAwait(false);
            return 2;
    }
}

using var cluster = new MockKafkaCluster(brokers);
foreach (var topic in topics)
{
    cluster.CreateTopic(topic, partitions);
}

if (bootstrapFile is not null)
{
    await File.WriteAllTextAsync(bootstrapFile, cluster.BootstrapServers + "\n").ConfigureAwait(false);
}

Console.Out.WriteLine("bootstrap " + cluster.BootstrapServers);
Console.Out.Flush();
using var stop = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
var input = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (parts)
        {
            case ["down"]:
                cluster.SetAllDown();
                break;
            case ["up"]:
                cluster.SetAllUp();
                break;
            case ["down", var id]:
                cluster.SetBrokerDown(int.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ["up", var id]:
                cluster.SetBrokerUp(int.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ["quit"]:
                await stop.CancelAsync().ConfigureAwait(false);
                return;
            default:
                continue;
        }

        Console.Out.WriteLine("ok " + line);
        Console.Out.Flush();
    }
});
try
{
    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
}

return 0;
