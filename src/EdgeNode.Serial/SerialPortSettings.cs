namespace EdgeNode.Serial;

/// <summary>Parity of a serial line. Modbus RTU's default is <see cref="Even"/> (Modbus over Serial Line V1.02 §2.5.1).</summary>
public enum SerialParity
{
    /// <summary>No parity bit.</summary>
    None,

    /// <summary>Odd parity.</summary>
    Odd,

    /// <summary>Even parity.</summary>
    Even,

    /// <summary>Parity bit always 1 (CMSPAR).</summary>
    Mark,

    /// <summary>Parity bit always 0 (CMSPAR).</summary>
    Space,
}

/// <summary>Number of stop bits.</summary>
public enum SerialStopBits
{
    /// <summary>One stop bit.</summary>
    One = 1,

    /// <summary>Two stop bits (Modbus asks for two when there is no parity; most devices accept one).</summary>
    Two = 2,
}

/// <summary>
/// Kernel RS-485 mode (<c>TIOCSRS485</c>): the UART driver itself switches the transceiver's driver-enable (DE) line,
/// wired to RTS, around each transmission. Needed for transceivers driven by the UART's RTS (a MAX485 on a Raspberry
/// Pi's PL011 with DE on GPIO17/RTS0); not needed for USB adapters and HATs that switch direction in hardware.
/// </summary>
public sealed record Rs485Settings
{
    /// <summary>Turn kernel RS-485 mode on (false turns it off when a previous user left it on).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>RTS logical level while sending (SER_RS485_RTS_ON_SEND). Swap with <see cref="RtsAfterSend"/> for an inverting transceiver.</summary>
    public bool RtsOnSend { get; init; } = true;

    /// <summary>RTS logical level after sending (SER_RS485_RTS_AFTER_SEND).</summary>
    public bool RtsAfterSend { get; init; }

    /// <summary>Milliseconds RTS is asserted before the first bit (transceiver enable time); the kernel caps it (100 ms on recent kernels).</summary>
    public int DelayRtsBeforeSendMs { get; init; }

    /// <summary>Milliseconds RTS stays asserted after the last stop bit.</summary>
    public int DelayRtsAfterSendMs { get; init; }

    /// <summary>Keep the receiver on while sending (SER_RS485_RX_DURING_TX): the port then reads back its own frames (echo).</summary>
    public bool RxDuringTx { get; init; }

    /// <summary>Switch on the bus termination resistor where the hardware has a GPIO for it (SER_RS485_TERMINATE_BUS).</summary>
    public bool TerminateBus { get; init; }
}

/// <summary>
/// Line settings of one serial port. Value equality: two devices naming the same port must agree on every setting
/// (the Modbus link pool uses this to refuse a port configured twice with different line settings).
/// </summary>
public sealed record SerialPortSettings
{
    /// <summary>Device path, e.g. <c>/dev/ttyUSB0</c>, <c>/dev/ttyAMA0</c> or a stable <c>/dev/serial/by-id/…</c> link.</summary>
    public required string PortName { get; init; }

    /// <summary>Bits per second, 1200–921600. Standard rates use their Bxxx code, others BOTHER (termios2).</summary>
    public int BaudRate { get; init; } = 9600;

    /// <summary>Parity; defaults to none (set it to what the devices use: Modbus RTU's default is even).</summary>
    public SerialParity Parity { get; init; } = SerialParity.None;

    /// <summary>Data bits: 7 or 8 (Modbus RTU needs 8).</summary>
    public int DataBits { get; init; } = 8;

    /// <summary>Stop bits.</summary>
    public SerialStopBits StopBits { get; init; } = SerialStopBits.One;

    /// <summary>Kernel RS-485 mode; null leaves the driver's current setting untouched.</summary>
    public Rs485Settings? Rs485 { get; init; }

    /// <summary>
    /// Take the port exclusively: <c>TIOCEXCL</c> (other non-root opens fail with EBUSY) plus an advisory
    /// <c>flock</c> (also stops a second EdgeNode or pyserial running as root).
    /// </summary>
    public bool Exclusive { get; init; } = true;

    /// <summary>Bits on the wire per character: start + data + parity + stop.</summary>
    public int BitsPerCharacter => 1 + DataBits + (Parity == SerialParity.None ? 0 : 1) + (int)StopBits;

    /// <summary>Test seam: configure through the legacy 36-byte TCGETS/TCSETS ABI, as a driver without termios2 forces.</summary>
    internal bool ForceLegacyTermios { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{PortName} {BaudRate} {DataBits}{Parity.ToString()[0]}{(int)StopBits}{(Rs485 is { Enabled: true } ? " rs485" : "")}";
}

/// <summary>Checks <see cref="SerialPortSettings"/> and names every problem.</summary>
public static class SerialPortSettingsValidator
{
    /// <summary>Lowest accepted baud rate.</summary>
    public const int MinBaudRate = 1200;

    /// <summary>Highest accepted baud rate.</summary>
    public const int MaxBaudRate = 921600;

    /// <summary>Every problem of <paramref name="settings"/>, one message each; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(SerialPortSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(settings.PortName))
        {
            problems.Add("portName: a device path such as /dev/ttyUSB0 is required");
        }

        if (settings.BaudRate is < MinBaudRate or > MaxBaudRate)
        {
            problems.Add($"baudRate: {settings.BaudRate} is outside {MinBaudRate}–{MaxBaudRate}");
        }

        if (settings.DataBits is not (7 or 8))
        {
            problems.Add($"dataBits: {settings.DataBits} is not 7 or 8");
        }

        if (!Enum.IsDefined(settings.Parity))
        {
            problems.Add($"parity: {(int)settings.Parity} is not none, even, odd, mark or space");
        }

        if (settings.StopBits is not (SerialStopBits.One or SerialStopBits.Two))
        {
            problems.Add($"stopBits: {(int)settings.StopBits} is not 1 or 2");
        }

        if (settings.Rs485 is { } rs485)
        {
            if (rs485.DelayRtsBeforeSendMs is < 0 or > 1000)
            {
                problems.Add($"rs485.delayRtsBeforeSendMs: {rs485.DelayRtsBeforeSendMs} is outside 0–1000");
            }

            if (rs485.DelayRtsAfterSendMs is < 0 or > 1000)
            {
                problems.Add($"rs485.delayRtsAfterSendMs: {rs485.DelayRtsAfterSendMs} is outside 0–1000");
            }

            if (rs485.Enabled && rs485.RtsOnSend == rs485.RtsAfterSend)
            {
                problems.Add("rs485: rtsOnSend and rtsAfterSend must differ, or the transceiver never (or always) drives the bus");
            }
        }

        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(SerialPortSettings settings)
    {
        var problems = Validate(settings);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid serial port settings for {settings.PortName}: {string.Join("; ", problems)}",
                nameof(settings));
        }
    }
}
