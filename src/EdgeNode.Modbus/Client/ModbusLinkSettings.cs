using EdgeNode.Serial;

namespace EdgeNode.Modbus;

/// <summary>How a link reaches its devices.</summary>
public enum ModbusTransportKind
{
    /// <summary>Modbus TCP (MBAP header, transaction ids), port 502 by default.</summary>
    Tcp,

    /// <summary>Modbus RTU on a local serial port (RS-485/RS-232).</summary>
    Rtu,

    /// <summary>RTU frames (with CRC) carried over a TCP stream to a serial device server in transparent mode.</summary>
    RtuOverTcp,
}

/// <summary>What to do with a copy of our own request read back from an RTU line.</summary>
public enum RtuEchoMode
{
    /// <summary>
    /// Skip a copy of the request when it cannot be the response (every function but 5, 6 and 22, whose responses echo
    /// the request); once an echo was seen the line is known to echo and it is skipped for every function.
    /// </summary>
    Auto,

    /// <summary>The adapter always echoes (2-wire RS-485 receiving while it transmits): skip one copy of every request.</summary>
    On,

    /// <summary>Never skip: a copy of the request is taken as the response.</summary>
    Off,
}

/// <summary>
/// One physical link: a serial port, or a TCP host:port. Devices on the same link share one master (one serialized
/// bus on RTU, one connection on TCP) and address their own unit ids. Value equality: the link pool refuses the same
/// link configured twice with different settings.
/// </summary>
public sealed record ModbusLinkSettings
{
    /// <summary>TCP, RTU or RTU over TCP.</summary>
    public required ModbusTransportKind Transport { get; init; }

    /// <summary>Host name or address (TCP and RTU over TCP).</summary>
    public string? Host { get; init; }

    /// <summary>TCP port (TCP and RTU over TCP).</summary>
    public int Port { get; init; } = 502;

    /// <summary>The serial line (RTU).</summary>
    public SerialPortSettings? Serial { get; init; }

    /// <summary>TCP connect timeout.</summary>
    public int ConnectTimeoutMs { get; init; } = 3000;

    /// <summary>
    /// TCP only: requests sent before the previous ones are answered (1–16). 1 suits most devices; gateways and
    /// modern PLCs that queue requests go faster with more. RTU is always one at a time.
    /// </summary>
    public int MaxInFlight { get; init; } = 1;

    /// <summary>First delay before reconnecting a failed TCP link or reopening a failed serial port; doubles per failure.</summary>
    public int ReconnectDelayMs { get; init; } = 500;

    /// <summary>Cap of the reconnect/reopen delay.</summary>
    public int ReconnectDelayMaxMs { get; init; } = 5000;

    /// <summary>RTU: echo handling.</summary>
    public RtuEchoMode Echo { get; init; } = RtuEchoMode.Auto;

    /// <summary>RTU: overrides the inter-frame silence t3.5 computed from the line (null = computed; 0 = none).</summary>
    public double? InterFrameDelayMs { get; init; }

    /// <summary>
    /// RTU: a frame that stalls longer than max(t1.5, this) is cut off and discarded. The spec's t1.5 (750 µs above
    /// 19200 baud) is below what USB adapters deliver (an FTDI chip batches bytes for up to 16 ms), hence the floor.
    /// </summary>
    public int InterCharTimeoutMs { get; init; } = 50;

    /// <summary>RTU: silence after a broadcast (unit 0) so every slave can act before the next request (serial line guide: 100–200 ms).</summary>
    public int BroadcastTurnaroundMs { get; init; } = 100;

    /// <summary>The identity of the physical link ("rtu:/dev/ttyUSB0", "tcp:10.0.0.7:502"): the pool's key.</summary>
    public string Key => Transport switch
    {
        ModbusTransportKind.Rtu => $"rtu:{Serial?.PortName}",
        ModbusTransportKind.RtuOverTcp => $"rtuovertcp:{Host}:{Port}",
        _ => $"tcp:{Host}:{Port}",
    };

    /// <summary>A Modbus TCP link.</summary>
    public static ModbusLinkSettings ForTcp(string host, int port = 502) => new() { Transport = ModbusTransportKind.Tcp, Host = host, Port = port };

    /// <summary>An RTU link on a serial port.</summary>
    public static ModbusLinkSettings ForRtu(SerialPortSettings serial) => new() { Transport = ModbusTransportKind.Rtu, Serial = serial };

    /// <summary>An RTU-over-TCP link.</summary>
    public static ModbusLinkSettings ForRtuOverTcp(string host, int port) =>
        new() { Transport = ModbusTransportKind.RtuOverTcp, Host = host, Port = port };

    /// <summary>Every problem of these settings, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Transport is ModbusTransportKind.Tcp or ModbusTransportKind.RtuOverTcp)
        {
            if (string.IsNullOrWhiteSpace(Host))
            {
                problems.Add("host: required for tcp and rtuOverTcp");
            }

            if (Port is < 1 or > 65535)
            {
                problems.Add($"port: {Port} is outside 1–65535");
            }
        }
        else if (Transport == ModbusTransportKind.Rtu)
        {
            if (Serial is null)
            {
                problems.Add("serial: required for rtu");
            }
            else
            {
                problems.AddRange(SerialPortSettingsValidator.Validate(Serial));
            }
        }
        else
        {
            problems.Add($"transport: {(int)Transport} is not tcp, rtu or rtuOverTcp");
        }

        if (MaxInFlight is < 1 or > 16)
        {
            problems.Add($"maxInFlight: {MaxInFlight} is outside 1–16");
        }

        if (ConnectTimeoutMs is < 1 or > 600_000)
        {
            problems.Add($"connectTimeoutMs: {ConnectTimeoutMs} is outside 1–600000");
        }

        if (ReconnectDelayMs < 0 || ReconnectDelayMaxMs < ReconnectDelayMs)
        {
            problems.Add($"reconnectDelayMs/reconnectDelayMaxMs: {ReconnectDelayMs}/{ReconnectDelayMaxMs} must be ≥ 0 and max ≥ first");
        }

        if (InterFrameDelayMs is < 0 or > 1000)
        {
            problems.Add($"interFrameDelayMs: {InterFrameDelayMs} is outside 0–1000");
        }

        if (InterCharTimeoutMs is < 0 or > 10_000)
        {
            problems.Add($"interCharTimeoutMs: {InterCharTimeoutMs} is outside 0–10000");
        }

        if (BroadcastTurnaroundMs is < 0 or > 10_000)
        {
            problems.Add($"broadcastTurnaroundMs: {BroadcastTurnaroundMs} is outside 0–10000");
        }

        return problems;
    }

    /// <summary>The RTU timers of this link (zero on RTU over TCP: the device server times the serial side).</summary>
    public RtuTiming Timing
    {
        get
        {
            var timing = Transport == ModbusTransportKind.Rtu && Serial is not null
                ? RtuTiming.For(Serial.BaudRate, Serial.BitsPerCharacter)
                : default;
            if (InterFrameDelayMs is { } ms)
            {
                timing = timing with { InterFrameDelay = TimeSpan.FromMilliseconds(ms) };
            }

            return timing;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Transport switch
    {
        ModbusTransportKind.Rtu => $"rtu {Serial}",
        ModbusTransportKind.RtuOverTcp => $"rtuOverTcp {Host}:{Port}",
        _ => $"tcp {Host}:{Port}",
    };
}

/// <summary>
/// Request policy of one device (unit) on a link: timeout, retries, and the back-off that keeps a dead unit from
/// starving the others on a shared bus.
/// </summary>
public sealed record ModbusMasterOptions
{
    /// <summary>Time for the response to arrive after the request left (per attempt).</summary>
    public int TimeoutMs { get; init; } = 1000;

    /// <summary>Extra attempts after a timeout, a corrupt response or a link error (0–10).</summary>
    public int Retries { get; init; } = 2;

    /// <summary>
    /// After a request failed every attempt, the unit is skipped (requests return <see cref="ModbusStatus.UnitBackedOff"/>
    /// without touching the bus) for this long, doubling per consecutive failure; when it ends one probe (a single
    /// attempt) is sent. 0 disables back-off.
    /// </summary>
    public int UnitBackoffMs { get; init; } = 1000;

    /// <summary>Cap of the unit back-off.</summary>
    public int UnitBackoffMaxMs { get; init; } = 10_000;

    /// <summary>Wait before resending after exception 06 Slave Device Busy (the resend counts as a retry).</summary>
    public int BusyRetryDelayMs { get; init; } = 200;

    /// <summary>Exception 05 Acknowledge: how many times to keep waiting (another <see cref="TimeoutMs"/>) for the real response.</summary>
    public int MaxAcknowledgeWaits { get; init; } = 3;

    /// <summary>Every problem of these options, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (TimeoutMs is < 1 or > 600_000)
        {
            problems.Add($"timeoutMs: {TimeoutMs} is outside 1–600000");
        }

        if (Retries is < 0 or > 10)
        {
            problems.Add($"retries: {Retries} is outside 0–10");
        }

        if (UnitBackoffMs < 0 || UnitBackoffMaxMs < UnitBackoffMs)
        {
            problems.Add($"unitBackoffMs/unitBackoffMaxMs: {UnitBackoffMs}/{UnitBackoffMaxMs} must be ≥ 0 and max ≥ first");
        }

        if (BusyRetryDelayMs is < 0 or > 60_000)
        {
            problems.Add($"busyRetryDelayMs: {BusyRetryDelayMs} is outside 0–60000");
        }

        if (MaxAcknowledgeWaits is < 0 or > 100)
        {
            problems.Add($"maxAcknowledgeWaits: {MaxAcknowledgeWaits} is outside 0–100");
        }

        return problems;
    }
}
