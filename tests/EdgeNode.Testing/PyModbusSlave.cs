using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace EdgeNode.Testing;

/// <summary>How the pymodbus slave is reached.</summary>
public enum PyModbusMode
{
    /// <summary>Modbus TCP on a loopback port.</summary>
    Tcp,

    /// <summary>Modbus RTU on a serial device (a socat pty).</summary>
    Rtu,

    /// <summary>RTU framing (with CRC) over a loopback TCP port: a serial device server in transparent mode.</summary>
    RtuOverTcp,
}

/// <summary>The four Modbus tables, as the slave script names them.</summary>
public enum PyModbusTable
{
    Coils,
    DiscreteInputs,
    HoldingRegisters,
    InputRegisters,
}

/// <summary>Initial contents of the slave's units: values, table sizes, sparse tables.</summary>
public sealed class PyModbusRegisterMap
{
    private readonly Dictionary<byte, Dictionary<PyModbusTable, TableSpec>> _units = [];

    /// <summary>Holding registers of <paramref name="unit"/> starting at <paramref name="address"/>.</summary>
    public PyModbusRegisterMap Holding(byte unit, int address, params ushort[] values) =>
        Values(unit, PyModbusTable.HoldingRegisters, address, values.Select(v => (int)v));

    /// <summary>Input registers.</summary>
    public PyModbusRegisterMap Input(byte unit, int address, params ushort[] values) =>
        Values(unit, PyModbusTable.InputRegisters, address, values.Select(v => (int)v));

    /// <summary>Coils.</summary>
    public PyModbusRegisterMap Coils(byte unit, int address, params bool[] values) =>
        Values(unit, PyModbusTable.Coils, address, values.Select(v => v ? 1 : 0));

    /// <summary>Discrete inputs.</summary>
    public PyModbusRegisterMap Discrete(byte unit, int address, params bool[] values) =>
        Values(unit, PyModbusTable.DiscreteInputs, address, values.Select(v => v ? 1 : 0));

    /// <summary>Sets a table's size: reads at or beyond it get exception 02 (illegal data address).</summary>
    public PyModbusRegisterMap Size(byte unit, PyModbusTable table, int size)
    {
        Spec(unit, table).Size = size;
        return this;
    }

    /// <summary>
    /// Makes the table sparse: only the given addresses exist, and any read touching another address gets exception
    /// 02 (a device that rejects reads across unmapped registers).
    /// </summary>
    public PyModbusRegisterMap Sparse(byte unit, PyModbusTable table, int address, params ushort[] values)
    {
        var spec = Spec(unit, table);
        spec.Sparse = true;
        spec.Values[address] = values.Select(v => (int)v).ToArray();
        return this;
    }

    private PyModbusRegisterMap Values(byte unit, PyModbusTable table, int address, IEnumerable<int> values)
    {
        Spec(unit, table).Values[address] = values.ToArray();
        return this;
    }

    private TableSpec Spec(byte unit, PyModbusTable table)
    {
        if (!_units.TryGetValue(unit, out var tables))
        {
            _units[unit] = tables = [];
        }

        if (!tables.TryGetValue(table, out var spec))
        {
            tables[table] = spec = new TableSpec();
        }

        return spec;
    }

    internal string ToJson(IEnumerable<byte> unitIds, int defaultSize)
    {
        var units = new Dictionary<string, object>();
        foreach (var unit in unitIds.Concat(_units.Keys).Distinct())
        {
            var tables = new Dictionary<string, object>();
            if (_units.TryGetValue(unit, out var specs))
            {
                foreach (var (table, spec) in specs)
                {
                    var values = spec.Values.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value);
                    tables[PyModbusSlave.TableName(table)] = spec.Sparse
                        ? new Dictionary<string, object> { ["sparse"] = values }
                        : new Dictionary<string, object> { ["size"] = spec.Size ?? defaultSize, ["values"] = values };
                }
            }

            units[unit.ToString(CultureInfo.InvariantCulture)] = tables;
        }

        return JsonSerializer.Serialize(new Dictionary<string, object> { ["size"] = defaultSize, ["units"] = units });
    }

    private sealed class TableSpec
    {
        public int? Size { get; set; }

        public bool Sparse { get; set; }

        public Dictionary<int, int[]> Values { get; } = [];
    }
}

/// <summary>Options of a <see cref="PyModbusSlave"/>.</summary>
public sealed class PyModbusSlaveOptions
{
    /// <summary>Unit ids the slave answers (others are ignored: no response, as on a real bus).</summary>
    public IReadOnlyList<byte> UnitIds { get; init; } = [1];

    /// <summary>Default size of every table (addresses 0..size-1 exist).</summary>
    public int TableSize { get; init; } = 10000;

    /// <summary>TCP port (TCP and RTU over TCP); 0 = any free port.</summary>
    public int Port { get; init; }

    /// <summary>Baud rate for RTU (a pty ignores it).</summary>
    public int BaudRate { get; init; } = 19200;

    /// <summary>Initial values and table layouts.</summary>
    public PyModbusRegisterMap Map { get; init; } = new();
}

/// <summary>
/// An independent Modbus slave: Debian's pymodbus (run with /usr/bin/python3) serving N unit ids over TCP, RTU (a
/// socat pty) or RTU over TCP, driven through a loopback control channel: change registers while it runs, count the
/// requests it decoded, mute a unit, make it answer busy/acknowledge/an exception, drop connections, stop it and start
/// it again on the same port or device.
/// </summary>
public sealed class PyModbusSlave : IAsyncDisposable
{
    private readonly PyModbusMode _mode;
    private readonly PyModbusSlaveOptions _options;
    private readonly string _configPath;
    private readonly SemaphoreSlim _controlLock = new(1, 1);
    private TcpClient? _control;
    private StreamReader? _reader;
    private StreamWriter? _writer;
    private bool _running;

    private PyModbusSlave(PyModbusMode mode, PyModbusSlaveOptions options, string? device, string configPath)
    {
        _mode = mode;
        _options = options;
        Device = device;
        Port = options.Port;
        _configPath = configPath;
    }

    /// <summary>The slave process (Freeze/Thaw/Kill, output).</summary>
    public ExternalProcess Process { get; private set; } = null!;

    /// <summary>The Modbus TCP port (TCP and RTU over TCP).</summary>
    public int Port { get; private set; }

    /// <summary>The serial device (RTU).</summary>
    public string? Device { get; }

    /// <summary>The path of the slave script.</summary>
    public static string ScriptPath => PeerScript("modbus_slave.py");

    /// <summary>Locates a python peer script: beside the test assembly (copied by EdgeNode.Testing), else in the repository.</summary>
    public static string PeerScript(string name)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "peers", name);
        return File.Exists(beside) ? beside : Path.Combine(RepoPaths.Tests, "EdgeNode.Testing", "peers", name);
    }

    /// <summary>Starts a Modbus TCP slave on 127.0.0.1.</summary>
    public static Task<PyModbusSlave> StartTcpAsync(PyModbusSlaveOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(PyModbusMode.Tcp, null, options, cancellationToken);

    /// <summary>Starts an RTU slave on <paramref name="device"/> (e.g. <see cref="SocatPtyPair.PortB"/>).</summary>
    public static Task<PyModbusSlave> StartRtuAsync(string device, PyModbusSlaveOptions? options = null,
        CancellationToken cancellationToken = default) =>
        StartAsync(PyModbusMode.Rtu, device, options, cancellationToken);

    /// <summary>Starts a slave speaking RTU frames over TCP on 127.0.0.1.</summary>
    public static Task<PyModbusSlave> StartRtuOverTcpAsync(PyModbusSlaveOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(PyModbusMode.RtuOverTcp, null, options, cancellationToken);

    private static async Task<PyModbusSlave> StartAsync(PyModbusMode mode, string? device, PyModbusSlaveOptions? options,
        CancellationToken cancellationToken)
    {
        options ??= new PyModbusSlaveOptions();
        var config = Path.Combine(Path.GetTempPath(), $"edgenode-pymodbus-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, options.Map.ToJson(options.UnitIds, options.TableSize), cancellationToken).ConfigureAwait(false);
        var slave = new PyModbusSlave(mode, options, device, config);
        try
        {
            await slave.LaunchAsync(cancellationToken).ConfigureAwait(false);
            return slave;
        }
        catch
        {
            await slave.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var python = Peers.RequirePymodbus();
        var args = new List<string>
        {
            ScriptPath,
            "--mode", _mode switch { PyModbusMode.Rtu => "rtu", PyModbusMode.RtuOverTcp => "rtu-over-tcp", _ => "tcp" },
            "--config", _configPath,
            "--baud", _options.BaudRate.ToString(CultureInfo.InvariantCulture),
        };
        if (_mode == PyModbusMode.Rtu)
        {
            args.AddRange(["--device", Device!]);
        }
        else
        {
            args.AddRange(["--port", Port.ToString(CultureInfo.InvariantCulture)]);
        }

        Process = ExternalProcess.Start(python, args);
        _running = true;
        var ready = await Process.WaitForLineAsync("READY ", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var control = await Process.WaitForLineAsync("CONTROL ", TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (_mode != PyModbusMode.Rtu)
        {
            Port = int.Parse(ready.Split(' ')[2], CultureInfo.InvariantCulture);
        }

        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, int.Parse(control.Split(' ')[1], CultureInfo.InvariantCulture), cancellationToken)
            .ConfigureAwait(false);
        var stream = client.GetStream();
        _control = client;
        _reader = new StreamReader(stream, Encoding.ASCII);
        _writer = new StreamWriter(stream, Encoding.ASCII) { AutoFlush = true, NewLine = "\n" };
        await CommandAsync("ping").ConfigureAwait(false);
    }

    /// <summary>Sends one control command and returns what follows "ok" (throws on "error …").</summary>
    public async Task<string> CommandAsync(string line)
    {
        await _controlLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_writer is null || _reader is null)
            {
                throw new InvalidOperationException("the slave is stopped");
            }

            await _writer.WriteLineAsync(line).ConfigureAwait(false);
            var reply = await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the slave closed its control channel:\n{Process.Output}");
            if (!reply.StartsWith("ok", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"slave refused '{line}': {reply}");
            }

            return reply.Length > 2 ? reply[3..] : "";
        }
        finally
        {
            _controlLock.Release();
        }
    }

    /// <summary>Writes registers of a unit while the slave runs.</summary>
    public Task SetRegistersAsync(byte unit, PyModbusTable table, int address, params ushort[] values) =>
        CommandAsync($"set {unit} {TableName(table)} {address} {string.Join(' ', values)}");

    /// <summary>Writes coils or discrete inputs while the slave runs.</summary>
    public Task SetBitsAsync(byte unit, PyModbusTable table, int address, params bool[] values) =>
        CommandAsync($"set {unit} {TableName(table)} {address} {string.Join(' ', values.Select(v => v ? 1 : 0))}");

    /// <summary>Reads registers from the slave's datastore (what a master wrote).</summary>
    public async Task<ushort[]> GetRegistersAsync(byte unit, PyModbusTable table, int address, int count)
    {
        var reply = await CommandAsync($"get {unit} {TableName(table)} {address} {count}").ConfigureAwait(false);
        return reply.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => ushort.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Reads bits from the slave's datastore.</summary>
    public async Task<bool[]> GetBitsAsync(byte unit, PyModbusTable table, int address, int count)
    {
        var reply = await CommandAsync($"get {unit} {TableName(table)} {address} {count}").ConfigureAwait(false);
        return reply.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => v != "0").ToArray();
    }

    /// <summary>Requests the slave decoded (for a unit, a function code, or all).</summary>
    public async Task<int> RequestCountAsync(byte? unit = null, int? functionCode = null)
    {
        var command = unit is null ? "count" : functionCode is null ? $"count {unit}" : $"count {unit} {functionCode}";
        return int.Parse(await CommandAsync(command).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Zeroes the request counters.</summary>
    public Task ResetCountsAsync() => CommandAsync("reset-counts");

    /// <summary>The unit stops answering (requests are still counted).</summary>
    public Task MuteAsync(byte unit) => CommandAsync($"mute {unit}");

    /// <summary>The unit answers again.</summary>
    public Task UnmuteAsync(byte unit) => CommandAsync($"unmute {unit}");

    /// <summary>The next <paramref name="requests"/> requests to the unit get exception 06 (slave device busy).</summary>
    public Task BusyAsync(byte unit, int requests) => CommandAsync($"busy {unit} {requests}");

    /// <summary>The next requests get exception 05 (acknowledge) at once and their real response after <paramref name="delayMs"/>.</summary>
    public Task AcknowledgeAsync(byte unit, int requests, int delayMs) => CommandAsync($"ack {unit} {requests} {delayMs}");

    /// <summary>The next requests get exception <paramref name="code"/>.</summary>
    public Task ExceptionAsync(byte unit, int requests, byte code) => CommandAsync($"exception {unit} {requests} {code}");

    /// <summary>The unit answers <paramref name="delayMs"/> late (0 = on time).</summary>
    public Task DelayAsync(byte unit, int delayMs) => CommandAsync($"delay {unit} {delayMs}");

    /// <summary>Closes the Modbus TCP connections (the listener stays); returns how many.</summary>
    public async Task<int> DropConnectionsAsync() =>
        int.Parse(await CommandAsync("drop-connections").ConfigureAwait(false), CultureInfo.InvariantCulture);

    /// <summary>Stops the slave process: its port/device closes, connections break.</summary>
    public async Task StopAsync()
    {
        CloseControl();
        _running = false;
        await Process.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Starts the slave again on the same port (or device) with its initial map and fresh counters.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (_running)
        {
            await StopAsync().ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await LaunchAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                // the port may linger for a moment after the previous process died
                await StopAsync().ConfigureAwait(false);
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        CloseControl();
        if (_running)
        {
            _running = false;
            await Process.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            File.Delete(_configPath);
        }
        catch (IOException)
        {
            // a leftover temp file is harmless
        }
    }

    internal static string TableName(PyModbusTable table) => table switch
    {
        PyModbusTable.Coils => "co",
        PyModbusTable.DiscreteInputs => "di",
        PyModbusTable.InputRegisters => "ir",
        _ => "hr",
    };

    private void CloseControl()
    {
        _reader?.Dispose();
        _writer = null;
        _reader = null;
        _control?.Dispose();
        _control = null;
    }
}
