using EdgeNode.Testing;

namespace EdgeNode.Mqtt.Tests.TestSupport;

/// <summary>Options and connected clients against a test broker.</summary>
internal static class Clients
{
    private static int s_counter;

    public static string NewClientId(string prefix = "t") => $"{prefix}-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";

    public static string NewTopic(string prefix = "test") => $"{prefix}/{Guid.NewGuid():N}";

    public static MqttClientOptions Options(MosquittoBroker broker, MqttProtocolVersion version = MqttProtocolVersion.V311,
        int keepAlive = 30, string? clientId = null) => new()
    {
        Host = broker.Host,
        Port = broker.Port,
        ClientId = clientId ?? NewClientId(),
        ProtocolVersion = version,
        KeepAliveSeconds = keepAlive,
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };

    public static async Task<MqttClient> ConnectAsync(MosquittoBroker broker, MqttProtocolVersion version = MqttProtocolVersion.V311,
        RecordingLogger? logger = null, Action<MqttClientOptions>? configure = null, MessageCollector? collector = null)
    {
        var options = Options(broker, version);
        configure?.Invoke(options);
        var client = new MqttClient(logger);
        if (collector is not null)
        {
            client.ApplicationMessageReceivedAsync = collector.HandleAsync;
        }

        var result = await client.ConnectAsync(options);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"connect refused: {result}");
        }

        return client;
    }
}
