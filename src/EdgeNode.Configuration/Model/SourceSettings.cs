namespace EdgeNode.Configuration;

// The configuration describes its sources in its own words; the engine maps these to the transports' types
// (EdgeNode.Engine/Configuration/ConfigMapping.cs), so this assembly references no transport.

/// <summary>The Modbus table a metric reads (<c>table:</c>).</summary>
public enum ModbusTableSetting
{
    /// <summary><c>coil</c>: read/write bits.</summary>
    Coil,

    /// <summary><c>discrete</c>: read-only bits.</summary>
    DiscreteInput,

    /// <summary><c>input</c>: read-only 16-bit registers.</summary>
    InputRegister,

    /// <summary><c>holding</c>: read/write 16-bit registers.</summary>
    HoldingRegister,
}

/// <summary>Byte/word order of a multi-byte value (<c>order:</c>), Modbus registers and I2C registers alike.</summary>
public enum ByteOrderSetting
{
    /// <summary>Big-endian: registers in address order, high byte first (the default).</summary>
    ABCD,

    /// <summary>Word swap: the lowest register holds the least significant word.</summary>
    CDAB,

    /// <summary>Byte swap inside each register, registers in address order.</summary>
    BADC,

    /// <summary>Little-endian: word swap and byte swap.</summary>
    DCBA,
}

/// <summary>How a Modbus device is reached.</summary>
public enum ModbusLinkKind
{
    /// <summary><c>tcp:</c> Modbus TCP.</summary>
    Tcp,

    /// <summary><c>rtu:</c> Modbus RTU on a local serial port.</summary>
    Rtu,
}

/// <summary>The link of a Modbus device: a TCP endpoint or a serial line. Devices with equal links share one.</summary>
public sealed record ModbusLinkConfig
{
    /// <summary>TCP or RTU.</summary>
    public required ModbusLinkKind Kind { get; init; }

    /// <summary>Host name or address (TCP; IPv6 without brackets).</summary>
    public string? Host { get; init; }

    /// <summary>TCP port.</summary>
    public int Port { get; init; } = 502;

    /// <summary>The serial line (RTU).</summary>
    public SerialLineConfig? Serial { get; init; }

    /// <summary>A Modbus TCP link.</summary>
    public static ModbusLinkConfig ForTcp(string host, int port = 502) => new() { Kind = ModbusLinkKind.Tcp, Host = host, Port = port };

    /// <summary>An RTU link on a serial port.</summary>
    public static ModbusLinkConfig ForRtu(SerialLineConfig serial) => new() { Kind = ModbusLinkKind.Rtu, Serial = serial };

    /// <inheritdoc />
    public override string ToString() => Kind == ModbusLinkKind.Rtu ? $"rtu {Serial}" : $"tcp {Host}:{Port}";
}

/// <summary>Parity of a serial line (<c>parity:</c>).</summary>
public enum SerialParitySetting
{
    /// <summary><c>none</c>.</summary>
    None,

    /// <summary><c>odd</c>.</summary>
    Odd,

    /// <summary><c>even</c>.</summary>
    Even,
}

/// <summary>The <c>modbus.rtu:</c> line settings.</summary>
public sealed record SerialLineConfig
{
    /// <summary>Device path, e.g. <c>/dev/ttyUSB0</c>.</summary>
    public required string PortName { get; init; }

    /// <summary>Baud rate.</summary>
    public int BaudRate { get; init; } = 19200;

    /// <summary>Parity.</summary>
    public SerialParitySetting Parity { get; init; } = SerialParitySetting.None;

    /// <summary>Data bits (7 or 8).</summary>
    public int DataBits { get; init; } = 8;

    /// <summary>Stop bits (1 or 2).</summary>
    public int StopBits { get; init; } = 1;

    /// <summary>Kernel RS-485 mode (null: the port is left as it is).</summary>
    public Rs485Config? Rs485 { get; init; }

    /// <summary>Lowest baud rate accepted (the serial driver's own floor).</summary>
    public const int MinBaudRate = 1200;

    /// <summary>Highest baud rate accepted (the serial driver's own ceiling).</summary>
    public const int MaxBaudRate = 921600;

    /// <inheritdoc />
    public override string ToString() =>
        $"{PortName} {BaudRate} {DataBits}{Parity.ToString()[0]}{StopBits}{(Rs485 is { Enabled: true } ? " rs485" : "")}";
}

/// <summary>The <c>rs485:</c> settings of a serial line (Linux <c>struct serial_rs485</c>).</summary>
public sealed record Rs485Config
{
    /// <summary>RS-485 mode on.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>RTS level while sending.</summary>
    public bool RtsOnSend { get; init; } = true;

    /// <summary>RTS level after sending.</summary>
    public bool RtsAfterSend { get; init; }

    /// <summary>Delay between RTS and the first bit.</summary>
    public int DelayRtsBeforeSendMs { get; init; }

    /// <summary>Delay between the last bit and RTS release.</summary>
    public int DelayRtsAfterSendMs { get; init; }

    /// <summary>Receive while sending.</summary>
    public bool RxDuringTx { get; init; }

    /// <summary>Switch the adapter's bus termination on.</summary>
    public bool TerminateBus { get; init; }
}

/// <summary>Direction of a GPIO line (<c>direction:</c>).</summary>
public enum GpioDirectionSetting
{
    /// <summary><c>input</c>.</summary>
    Input,

    /// <summary><c>output</c>.</summary>
    Output,
}

/// <summary>Bias of a GPIO input (<c>bias:</c>).</summary>
public enum GpioBiasSetting
{
    /// <summary><c>as-is</c>: leave the line's bias alone.</summary>
    AsIs,

    /// <summary><c>disabled</c>.</summary>
    Disabled,

    /// <summary><c>pull-up</c>.</summary>
    PullUp,

    /// <summary><c>pull-down</c>.</summary>
    PullDown,
}

/// <summary>Edges of a GPIO input reported at once (<c>edge:</c>).</summary>
public enum GpioEdgeSetting
{
    /// <summary><c>none</c>: read at scan only.</summary>
    None,

    /// <summary><c>rising</c>.</summary>
    Rising,

    /// <summary><c>falling</c>.</summary>
    Falling,

    /// <summary><c>both</c>.</summary>
    Both,
}

/// <summary>Drive of a GPIO output (<c>drive:</c>).</summary>
public enum GpioDriveSetting
{
    /// <summary><c>push-pull</c>.</summary>
    PushPull,

    /// <summary><c>open-drain</c>.</summary>
    OpenDrain,

    /// <summary><c>open-source</c>.</summary>
    OpenSource,
}

/// <summary>One value an I2C sensor model reports.</summary>
/// <param name="Name">The channel name, e.g. "Temperature".</param>
/// <param name="Units">Engineering unit, e.g. "°C".</param>
public sealed record I2cChannelInfo(string Name, string Units);
