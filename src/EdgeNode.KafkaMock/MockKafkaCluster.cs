using System.Runtime.InteropServices;
using System.Text;
using EdgeNode.Kafka;

namespace EdgeNode.KafkaMock;

/// <summary>
/// librdkafka's mock cluster (<c>rdkafka_mock.h</c>): real Kafka-protocol brokers on 127.0.0.1 (produce, fetch,
/// consumer groups, idempotence; topics auto-created; no TLS/SASL, no persistence) living in this process as long as
/// the instance. For tests, the benchmark and the demo only.
/// </summary>
public sealed partial class MockKafkaCluster : IDisposable
{
    private readonly IntPtr _rk;
    private readonly IntPtr _cluster;
    private bool _disposed;

    /// <summary>Starts <paramref name="brokers"/> brokers (ids 1..n) on free loopback ports.</summary>
    public MockKafkaCluster(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        EnsureResolver();
        BrokerCount = brokers;
        var error = new byte[512];
        var conf = Native.rd_kafka_conf_new();
        // The host handle has no bootstrap.servers of its own; keep librdkafka from warning about it.
        Native.rd_kafka_conf_set(conf, "log_level", "3", error, (UIntPtr)error.Length);
        // The mock cluster needs a client handle to live on; it serves no records itself.
        _rk = Native.rd_kafka_new(0 /* RD_KAFKA_PRODUCER */, conf, error, (UIntPtr)error.Length);
        if (_rk == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Encoding.UTF8.GetString(error).TrimEnd('\0'));
        }

        _cluster = Native.rd_kafka_mock_cluster_new(_rk, brokers);
        if (_cluster == IntPtr.Zero)
        {
            Native.rd_kafka_destroy(_rk);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(Native.rd_kafka_mock_cluster_bootstraps(_cluster))!;
    }

    /// <summary>bootstrap.servers for clients (<c>127.0.0.1:port,...</c>).</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers (ids 1..BrokerCount).</summary>
    public int BrokerCount { get; }

    /// <summary>Creates a topic with <paramref name="partitions"/> partitions (otherwise topics are auto-created).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        var err = Native.rd_kafka_mock_topic_create(_cluster, topic, partitions, replicationFactor);
        if (err != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_topic_create({topic}) failed: error {err}");
        }
    }

    /// <summary>Disconnects broker <paramref name="brokerId"/> and refuses new connections to it.</summary>
    public void SetBrokerDown(int brokerId) => Check(Native.rd_kafka_mock_broker_set_down(_cluster, brokerId), "set_down");

    /// <summary>Lets broker <paramref name="brokerId"/> accept connections again.</summary>
    public void SetBrokerUp(int brokerId) => Check(Native.rd_kafka_mock_broker_set_up(_cluster, brokerId), "set_up");

    /// <summary>Every broker down.</summary>
    public void SetAllDown()
    {
        for (var id = 1; id <= BrokerCount; id++)
        {
            SetBrokerDown(id);
        }
    }

    /// <summary>Every broker up.</summary>
    public void SetAllUp()
    {
        for (var id = 1; id <= BrokerCount; id++)
        {
            SetBrokerUp(id);
        }
    }

    /// <summary>The next <paramref name="errors"/>.Length requests with API key <paramref name="apiKey"/> fail with those error codes.</summary>
    public void PushRequestErrors(short apiKey, params int[] errors) =>
        Native.rd_kafka_mock_push_request_errors_array(_cluster, apiKey, (UIntPtr)errors.Length, errors);

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_broker_{what} failed: error {err}");
        }
    }

    /// <summary>Stops the brokers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Native.rd_kafka_mock_cluster_destroy(_cluster);
        Native.rd_kafka_destroy(_rk);
    }

    private static int s_resolver;

    /// <summary>Binds our P/Invokes to the very librdkafka Confluent.Kafka uses (see <see cref="RdKafkaLibrary"/>).</summary>
    private static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref s_resolver, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(MockKafkaCluster).Assembly,
                (name, _, _) => name == Native.Library ? RdKafkaLibrary.Handle : IntPtr.Zero);
        }

        RdKafkaLibrary.Load();
    }

    private static partial class Native
    {
        public const string Library = "librdkafka";

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_conf_new();

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, [Out] byte[] errstr, UIntPtr errstrSize);

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_new(int type, IntPtr conf, [Out] byte[] errstr, UIntPtr errstrSize);

        [LibraryImport(Library)]
        public static partial void rd_kafka_destroy(IntPtr rk);

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

        [LibraryImport(Library)]
        public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

        [LibraryImport(Library)]
        public static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

        [LibraryImport(Library)]
        public static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

        [LibraryImport(Library)]
        public static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, UIntPtr count, int[] errors);
    }
}
