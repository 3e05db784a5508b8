using System.Globalization;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Base of every end-to-end test: owns the peers a test starts (its own Mosquitto, pymodbus slave, observer, node —
/// nothing mutable is shared between tests), gives each test its own Sparkplug ids, and writes the node's output and
/// the observer's log to the test output at the end, so a failure shows what the node said and what went over MQTT.
/// </summary>
public abstract class EndToEndTest : IAsyncLifetime
{
    /// <summary>Node start (dotnet start-up, connect, first scan, births) on a loaded 2-core machine.</summary>
    protected static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>One step of the node's behaviour (a few scans, a reconnect with back-off).</summary>
    protected static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);

    private static int s_ids;
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<NodeUnderTest> _nodes = [];
    private readonly List<SparkplugObserver> _observers = [];
    private readonly List<MosquittoBroker> _brokers = [];
    private readonly Dictionary<MosquittoBroker, string> _brokerLogs = [];

    protected EndToEndTest(ITestOutputHelper output)
    {
        Output = output;
        var id = Interlocked.Increment(ref s_ids).ToString(CultureInfo.InvariantCulture);
        GroupId = $"{GetType().Name[..Math.Min(12, GetType().Name.Length)]}{id}";
        EdgeNodeId = $"Gw{id}";
    }

    protected ITestOutputHelper Output { get; }

    /// <summary>This test's Sparkplug group id.</summary>
    protected string GroupId { get; }

    /// <summary>This test's Sparkplug edge node id.</summary>
    protected string EdgeNodeId { get; }

    protected string NBirthTopic => $"spBv1.0/{GroupId}/NBIRTH/{EdgeNodeId}";

    protected string NDeathTopic => $"spBv1.0/{GroupId}/NDEATH/{EdgeNodeId}";

    protected string NDataTopic => $"spBv1.0/{GroupId}/NDATA/{EdgeNodeId}";

    protected string NCmdTopic => $"spBv1.0/{GroupId}/NCMD/{EdgeNodeId}";

    protected string DBirthTopic(string device) => $"spBv1.0/{GroupId}/DBIRTH/{EdgeNodeId}/{device}";

    protected string DDataTopic(string device) => $"spBv1.0/{GroupId}/DDATA/{EdgeNodeId}/{device}";

    protected string DDeathTopic(string device) => $"spBv1.0/{GroupId}/DDEATH/{EdgeNodeId}/{device}";

    protected string DCmdTopic(string device) => $"spBv1.0/{GroupId}/DCMD/{EdgeNodeId}/{device}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            Write(node.OutputTail(400));
        }

        foreach (var observer in _observers)
        {
            Write(observer.Report());
        }

        foreach (var broker in _brokers)
        {
            var log = BrokerLog(broker).Split('\n');
            Write($"mosquitto :{broker.Port} log (last 80 lines):\n" + string.Join('\n', log.TakeLast(80)));
        }

        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                await _owned[i].DisposeAsync();
            }
            catch (Exception ex)
            {
                Write($"cleanup of {_owned[i].GetType().Name} failed: {ex.Message}");
            }
        }

        foreach (var log in _brokerLogs.Values)
        {
            try
            {
                File.Delete(log);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// Starts this test's own Mosquitto. Its log also goes to a file: mosquitto flushes file logs line by line but
    /// block-buffers stdout when it is a pipe, so <see cref="MosquittoBroker.Log"/> lags; read <see cref="BrokerLog"/>.
    /// </summary>
    protected async Task<MosquittoBroker> StartBrokerAsync(bool logAll = false)
    {
        var logFile = Path.Combine(Path.GetTempPath(), $"edgenode-e2e-mosquitto-{Guid.NewGuid():N}.log");
        var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { LogAll = logAll, ExtraConfig = $"log_dest file {logFile}" });
        _owned.Add(broker);
        _brokers.Add(broker);
        _brokerLogs[broker] = logFile;
        return broker;
    }

    /// <summary>
    /// Starts this test's own Mosquitto with a TLS listener (the shared test PKI) and a password listener for
    /// <paramref name="users"/>; the plain listener stays anonymous for the observers.
    /// </summary>
    protected async Task<MosquittoBroker> StartSecureBrokerAsync(bool requireClientCertificate, IReadOnlyDictionary<string, string> users,
        bool tlsRequiresPassword)
    {
        var logFile = Path.Combine(Path.GetTempPath(), $"edgenode-e2e-mosquitto-{Guid.NewGuid():N}.log");
        var broker = await MosquittoBroker.StartAsync(new MosquittoOptions
        {
            Tls = true,
            RequireClientCertificate = requireClientCertificate,
            Users = users,
            TlsRequiresPassword = tlsRequiresPassword,
            ExtraConfig = $"log_dest file {logFile}",
        });
        _owned.Add(broker);
        _brokers.Add(broker);
        _brokerLogs[broker] = logFile;
        return broker;
    }

    /// <summary>The broker's log so far (all its runs), read from its log file.</summary>
    protected string BrokerLog(MosquittoBroker broker)
    {
        if (!_brokerLogs.TryGetValue(broker, out var file) || !File.Exists(file))
        {
            return broker.Log;
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Waits until the broker logged a line containing <paramref name="fragment"/>; returns that line.</summary>
    protected async Task<string> WaitBrokerLogAsync(MosquittoBroker broker, string fragment, TimeSpan timeout, int skipLines = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var hit = BrokerLog(broker).Split('\n').Skip(skipLines).FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal));
            if (hit is not null)
            {
                return hit;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ObservationException($"mosquitto :{broker.Port} logged no '{fragment}' within {timeout.TotalSeconds:0.#} s:\n" +
                    string.Join('\n', BrokerLog(broker).Split('\n').TakeLast(40)) + "\n" + NodeDiagnostics());
            }

            await Task.Delay(50);
        }
    }

    protected async Task<PyModbusSlave> StartSlaveAsync(PyModbusRegisterMap map, params byte[] units)
    {
        EnsurePymodbusServer();
        var slave = await PyModbusSlave.StartTcpAsync(new PyModbusSlaveOptions
        {
            Map = map,
            UnitIds = units.Length == 0 ? [1] : units,
        });
        _owned.Add(slave);
        return slave;
    }

    /// <summary>A pseudo-terminal pair (socat) owned by this test: a serial line in software.</summary>
    protected async Task<SocatPtyPair> StartPtyPairAsync()
    {
        var pty = await SocatPtyPair.StartAsync("rtu");
        _owned.Add(pty);
        return pty;
    }

    /// <summary>An RS-485 line with faults on demand (issue 15), owned by this test.</summary>
    protected async Task<Rs485FaultRelay> StartRs485RelayAsync()
    {
        EnsurePymodbusServer();
        var relay = await Rs485FaultRelay.StartAsync();
        _owned.Add(relay);
        return relay;
    }

    /// <summary>pymodbus's RTU server on <paramref name="device"/> (one end of a pty pair), 19200 8N1.</summary>
    protected async Task<PyModbusSlave> StartRtuSlaveAsync(string device, PyModbusRegisterMap map, params byte[] units)
    {
        EnsurePymodbusServer();
        var slave = await PyModbusSlave.StartRtuAsync(device, new PyModbusSlaveOptions
        {
            Map = map,
            UnitIds = units.Length == 0 ? [1] : units,
        });
        _owned.Add(slave);
        return slave;
    }

    protected async Task<SparkplugObserver> ObserveAsync(MosquittoBroker broker, params string[] filters)
    {
        var observer = await SparkplugObserver.StartAsync(broker.Port, filters);
        observer.Diagnostics = NodeDiagnostics;
        _owned.Add(observer);
        _observers.Add(observer);
        return observer;
    }

    /// <summary>Writes the YAML and starts the node.</summary>
    protected NodeUnderTest StartNode(string yaml)
    {
        var node = CreateNode(yaml);
        node.Start();
        return node;
    }

    /// <summary>Writes the YAML; the test starts the node when it wants.</summary>
    protected NodeUnderTest CreateNode(string yaml)
    {
        var node = NodeUnderTest.Create(yaml);
        _owned.Add(node);
        _nodes.Add(node);
        return node;
    }

    protected NodeConfig Config(params MosquittoBroker[] brokers) => new()
    {
        GroupId = GroupId,
        EdgeNodeId = EdgeNodeId,
        Servers = brokers.Select(b => b.Url).ToList(),
    };

    /// <summary>The tail of every node's output, for failure messages.</summary>
    protected string NodeDiagnostics() =>
        _nodes.Count == 0 ? "(no node started)" : string.Join("\n", _nodes.Select(n => n.OutputTail(40)));

    protected void Write(string text)
    {
        try
        {
            Output.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
            // no test is active (fixture teardown)
        }
    }

    /// <summary>The next NBIRTH of this test's edge node at or after <paramref name="fromIndex"/>.</summary>
    protected static Task<SparkplugMessage> WaitNBirthAsync(SparkplugObserver observer, string topic, int fromIndex = 0, TimeSpan? timeout = null) =>
        observer.WaitForAsync(m => m.Topic == topic, timeout ?? StartTimeout, $"NBIRTH on {topic}", fromIndex);

    protected Task<SparkplugMessage> WaitNBirthAsync(SparkplugObserver observer, int fromIndex = 0, TimeSpan? timeout = null) =>
        WaitNBirthAsync(observer, NBirthTopic, fromIndex, timeout);

    protected Task<SparkplugMessage> WaitDBirthAsync(SparkplugObserver observer, string device, int fromIndex = 0, TimeSpan? timeout = null) =>
        observer.WaitForAsync(m => m.Topic == DBirthTopic(device), timeout ?? StartTimeout, $"DBIRTH of {device}", fromIndex);

    /// <summary>
    /// Waits for a DDATA of <paramref name="device"/> carrying <paramref name="metric"/> (by name or by alias) whose
    /// value satisfies <paramref name="match"/>; live values only unless <paramref name="historical"/> says otherwise
    /// (null = either).
    /// </summary>
    protected async Task<(SparkplugMessage Message, ObservedMetric Metric)> WaitDataAsync(SparkplugObserver observer, string device,
        string metric, Func<ObservedMetric, bool> match, string expectation, int fromIndex = 0, TimeSpan? timeout = null, bool? historical = false)
    {
        var topic = DDataTopic(device);
        ObservedMetric? found = null;
        var message = await observer.WaitForAsync(
            m => m.Topic == topic && (found = observer.ResolvedMetrics(m).Where(x => x.Name == metric && (historical is null || x.Metric.IsHistorical == historical))
                .Select(x => x.Metric).FirstOrDefault(x => Matches(match, x))) is not null,
            timeout ?? StepTimeout, $"{(historical == true ? "historical " : historical == false ? "live " : "")}DDATA of {device} with {metric} {expectation}", fromIndex);
        return (message, found!);
    }

    /// <summary>
    /// Every (message, metric) pair of <paramref name="metric"/> in the messages on <paramref name="topic"/> from an index;
    /// live values only unless <paramref name="historical"/> says otherwise (null = either).
    /// </summary>
    protected static IReadOnlyList<(SparkplugMessage Message, ObservedMetric Metric)> DataOf(SparkplugObserver observer, string topic,
        string metric, int fromIndex = 0, bool? historical = false) =>
        observer.Messages.Skip(fromIndex).Where(m => m.Topic == topic)
            .SelectMany(m => observer.ResolvedMetrics(m).Where(x => x.Name == metric && (historical is null || x.Metric.IsHistorical == historical))
                .Select(x => (m, x.Metric)))
            .ToList();

    /// <summary>Waits until the slave decoded <paramref name="requests"/> more requests for the unit: the node has scanned.</summary>
    protected async Task WaitScansAsync(PyModbusSlave slave, byte unit, int requests, TimeSpan? timeout = null)
    {
        var start = await slave.RequestCountAsync(unit);
        var deadline = DateTime.UtcNow + (timeout ?? StepTimeout);
        while (await slave.RequestCountAsync(unit) < start + requests)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new ObservationException(
                    $"the node did not poll unit {unit} {requests} more time(s) within {(timeout ?? StepTimeout).TotalSeconds} s\n{NodeDiagnostics()}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Starts a killed broker again while the node is frozen (SIGSTOP), so the observers are subscribed before the
    /// node can reconnect and publish its births; then lets the node run. (Without this the observer, reconnecting
    /// every 20 ms, could now and then lose the race against the node's back-off and miss the births.)
    /// </summary>
    protected static async Task RestartBrokerHoldingNodeAsync(MosquittoBroker broker, NodeUnderTest node, params SparkplugObserver[] observers)
    {
        var before = observers.Select(o => o.Subscriptions).ToArray();
        node.Freeze();
        try
        {
            await broker.StartAsync();
            for (var i = 0; i < observers.Length; i++)
            {
                await observers[i].WaitReconnectedAsync(before[i], TimeSpan.FromSeconds(20));
            }
        }
        finally
        {
            node.Thaw();
        }
    }

    private static readonly Lazy<bool> s_pymodbusServer = new(() =>
    {
        // Debian's python3-pymodbus only recommends pyserial, which its server module imports even for TCP; a
        // --no-install-recommends install (as build.sh does) lacks it.
        var python = Peers.RequirePymodbus();
        if (Probe(python, "-c", "import pymodbus.server.async_io"))
        {
            return true;
        }

        Peers.Run("apt-get", ["update", "-qq"], TimeSpan.FromMinutes(5));
        Peers.Run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "python3-serial-asyncio"], TimeSpan.FromMinutes(10));
        return Probe(python, "-c", "import pymodbus.server.async_io");
    });

    private static void EnsurePymodbusServer()
    {
        if (!s_pymodbusServer.Value)
        {
            throw new InvalidOperationException("pymodbus' server cannot be imported even after installing python3-serial-asyncio");
        }
    }

    private static bool Probe(string file, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    protected static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static bool Matches(Func<ObservedMetric, bool> match, ObservedMetric metric)
    {
        try
        {
            return match(metric);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidCastException or OverflowException)
        {
            return false;
        }
    }
}
