using System.Diagnostics;
using System.Text.Json;
using EdgeNode.Testing;

namespace EdgeNode.Bridge.Tests.Infrastructure;

/// <summary>One record read back from Kafka by an independent client.</summary>
public sealed record KafkaRecord(string Key, JsonElement Value);

/// <summary>Reads topics back with clients that share no code with the bridge: kcat (Debian) and python3-kafka.</summary>
public static class KafkaReader
{
    /// <summary>Every record of <paramref name="topic"/>, with kcat (-e: until the end of every partition).</summary>
    public static async Task<IReadOnlyList<KafkaRecord>> ReadWithKcatAsync(string bootstrap, string topic)
    {
        var kcat = Peers.RequireDebian("/usr/bin/kcat", "kcat");
        var output = await RunAsync(kcat, ["-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-f", "%k\t%s\n"]);
        return Parse(output);
    }

    /// <summary>Every record of <paramref name="topic"/>, with python3-kafka (kafka-python).</summary>
    public static async Task<IReadOnlyList<KafkaRecord>> ReadWithPythonAsync(string bootstrap, string topic)
    {
        Peers.RequireDebian("/usr/lib/python3/dist-packages/kafka/__init__.py", "python3-kafka");
        const string script = """
            import sys, kafka
            c = kafka.KafkaConsumer(sys.argv[2], bootstrap_servers=sys.argv[1], auto_offset_reset='earliest',
                                    enable_auto_commit=False, consumer_timeout_ms=4000)
            for m in c:
                sys.stdout.write(m.key.decode() + '\t' + m.value.decode() + '\n')
            """;
        var output = await RunAsync("/usr/bin/python3", ["-c", script, bootstrap, topic]);
        return Parse(output);
    }

    private static List<KafkaRecord> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Contains('\t', StringComparison.Ordinal))
            .Select(line =>
            {
                var tab = line.IndexOf('\t', StringComparison.Ordinal);
                return new KafkaRecord(line[..tab], JsonDocument.Parse(line[(tab + 1)..]).RootElement.Clone());
            })
            .ToList();

    private static async Task<string> RunAsync(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
