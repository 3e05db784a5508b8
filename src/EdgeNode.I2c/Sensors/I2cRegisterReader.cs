using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace EdgeNode.I2c;

/// <summary>The type of a register value.</summary>
public enum I2cValueType
{
    /// <summary>Signed 8-bit.</summary>
    Int8,

    /// <summary>Unsigned 8-bit.</summary>
    UInt8,

    /// <summary>Signed 16-bit.</summary>
    Int16,

    /// <summary>Unsigned 16-bit.</summary>
    UInt16,

    /// <summary>Signed 32-bit.</summary>
    Int32,

    /// <summary>Unsigned 32-bit.</summary>
    UInt32,

    /// <summary>Signed 64-bit.</summary>
    Int64,

    /// <summary>Unsigned 64-bit.</summary>
    UInt64,

    /// <summary>IEEE 754 single.</summary>
    Float32,

    /// <summary>IEEE 754 double.</summary>
    Float64,
}

/// <summary>
/// Byte order of a multi-byte value, named as in the configuration file's Modbus <c>order</c>: the bytes of a 32-bit
/// value are A (most significant) to D, and 16-bit values use the first two letters.
/// </summary>
public enum I2cByteOrder
{
    /// <summary>Big-endian: most significant byte first (most I2C sensors).</summary>
    Abcd,

    /// <summary>16-bit words in big-endian order internally, least significant word first.</summary>
    Cdab,

    /// <summary>Each 16-bit word byte-swapped, most significant word first.</summary>
    Badc,

    /// <summary>Little-endian: least significant byte first.</summary>
    Dcba,
}

/// <summary>One value read from device registers: where, how to decode it and how to scale it.</summary>
public sealed record I2cRegisterDefinition
{
    /// <summary>Channel (metric) name.</summary>
    public required string Name { get; init; }

    /// <summary>Register address written before reading (ignored when <see cref="RegisterAddressBytes"/> is 0).</summary>
    public int Register { get; init; }

    /// <summary>Size of the register address: 1 (most devices), 2 (16-bit, sent most significant byte first, e.g. EEPROMs), or 0 (plain read).</summary>
    public int RegisterAddressBytes { get; init; } = 1;

    /// <summary>Value type; its size is the number of bytes read.</summary>
    public I2cValueType Type { get; init; } = I2cValueType.UInt16;

    /// <summary>Byte order.</summary>
    public I2cByteOrder ByteOrder { get; init; } = I2cByteOrder.Abcd;

    /// <summary>Engineering value = raw × Scale + Offset.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>Engineering value = raw × Scale + Offset.</summary>
    public double Offset { get; init; }

    /// <summary>Engineering unit.</summary>
    public string Units { get; init; } = "";

    /// <summary>Bytes read for <paramref name="type"/>.</summary>
    public static int SizeOf(I2cValueType type) => type switch
    {
        I2cValueType.Int8 or I2cValueType.UInt8 => 1,
        I2cValueType.Int16 or I2cValueType.UInt16 => 2,
        I2cValueType.Int32 or I2cValueType.UInt32 or I2cValueType.Float32 => 4,
        _ => 8,
    };
}

/// <summary>Settings of an <see cref="I2cRegisterReader"/>.</summary>
public sealed record I2cRegisterReaderOptions
{
    /// <summary>The values, read in order (one transaction each).</summary>
    public required IReadOnlyList<I2cRegisterDefinition> Registers { get; init; }

    /// <summary>Bytes written before each read (e.g. a "start conversion" command); empty for none.</summary>
    public IReadOnlyList<byte> TriggerCommand { get; init; } = [];

    /// <summary>Wait after the trigger command before reading, in milliseconds.</summary>
    public int TriggerDelayMs { get; init; }

    /// <summary>Every problem of the options, one line each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Registers is null || Registers.Count == 0)
        {
            problems.Add("registers: at least one register is needed");
            return problems;
        }

        for (var i = 0; i < Registers.Count; i++)
        {
            var r = Registers[i];
            var at = $"registers[{i}]";
            if (r is null)
            {
                problems.Add($"{at}: missing");
                continue;
            }

            if (string.IsNullOrWhiteSpace(r.Name))
            {
                problems.Add($"{at}.name: must not be empty");
            }

            if (r.RegisterAddressBytes is < 0 or > 2)
            {
                problems.Add($"{at}.registerAddressBytes: {r.RegisterAddressBytes} is not 0, 1 or 2");
            }
            else if (r.RegisterAddressBytes > 0 && (r.Register < 0 || r.Register >= 1 << (8 * r.RegisterAddressBytes)))
            {
                problems.Add($"{at}.register: {r.Register} does not fit {r.RegisterAddressBytes} byte(s)");
            }

            if (!Enum.IsDefined(r.Type) || !Enum.IsDefined(r.ByteOrder))
            {
                problems.Add($"{at}.type/byteOrder: not a defined setting");
            }

            if (!double.IsFinite(r.Scale) || !double.IsFinite(r.Offset))
            {
                problems.Add($"{at}.scale/offset: must be finite numbers");
            }
        }

        if (TriggerDelayMs is < 0 or > 10_000)
        {
            problems.Add($"triggerDelayMs: {TriggerDelayMs} is outside 0..10000");
        }

        return problems;
    }
}

/// <summary>The scaled values of one <see cref="I2cRegisterReader"/> read, in definition order.</summary>
/// <param name="Values">Engineering values.</param>
public readonly record struct I2cRegisterValues(IReadOnlyList<double> Values);

/// <summary>
/// Reads values of any register-based device: for each definition, write the register address and read the value's
/// bytes after a repeated START, decode them per type and byte order, and scale. Optionally a trigger command first.
/// </summary>
public sealed class I2cRegisterReader : I2cSensor<I2cRegisterValues>
{
    private readonly I2cRegisterReaderOptions _options;
    private readonly I2cSensorChannel[] _channels;
    private readonly double[] _values;

    /// <summary>Creates the reader; nothing is sent until the first read.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public I2cRegisterReader(I2cDevice device, I2cRegisterReaderOptions options, ILogger? logger = null)
        : base(device, logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid I2C register definitions: {string.Join("; ", problems)}", nameof(options));
        }

        _options = options;
        _channels = options.Registers.Select(r => new I2cSensorChannel(r.Name, r.Units)).ToArray();
        _values = new double[_channels.Length];
    }

    /// <inheritdoc />
    public override string Model => "registers";

    /// <summary>One channel per register definition.</summary>
    public override IReadOnlyList<I2cSensorChannel> Channels => _channels;

    /// <summary>Decodes a raw value (before scaling) from <paramref name="bytes"/> as they came off the bus.</summary>
    public static double Decode(ReadOnlySpan<byte> bytes, I2cValueType type, I2cByteOrder order)
    {
        var size = I2cRegisterDefinition.SizeOf(type);
        if (bytes.Length < size)
        {
            throw new ArgumentException($"{type} needs {size} bytes.", nameof(bytes));
        }

        // Bring the bytes into big-endian (ABCD...) order, then read them big-endian.
        Span<byte> be = stackalloc byte[size];
        bytes[..size].CopyTo(be);
        if (size > 1)
        {
            if (order is I2cByteOrder.Badc or I2cByteOrder.Dcba)
            {
                for (var i = 0; i + 1 < size; i += 2)
                {
                    (be[i], be[i + 1]) = (be[i + 1], be[i]);
                }
            }

            if (order is I2cByteOrder.Cdab or I2cByteOrder.Dcba && size > 2)
            {
                // Reverse the order of the 16-bit words.
                for (int lo = 0, hi = size - 2; lo < hi; lo += 2, hi -= 2)
                {
                    (be[lo], be[hi]) = (be[hi], be[lo]);
                    (be[lo + 1], be[hi + 1]) = (be[hi + 1], be[lo + 1]);
                }
            }
        }

        return type switch
        {
            I2cValueType.Int8 => (sbyte)be[0],
            I2cValueType.UInt8 => be[0],
            I2cValueType.Int16 => BinaryPrimitives.ReadInt16BigEndian(be),
            I2cValueType.UInt16 => BinaryPrimitives.ReadUInt16BigEndian(be),
            I2cValueType.Int32 => BinaryPrimitives.ReadInt32BigEndian(be),
            I2cValueType.UInt32 => BinaryPrimitives.ReadUInt32BigEndian(be),
            I2cValueType.Int64 => BinaryPrimitives.ReadInt64BigEndian(be),
            I2cValueType.UInt64 => BinaryPrimitives.ReadUInt64BigEndian(be),
            I2cValueType.Float32 => BinaryPrimitives.ReadSingleBigEndian(be),
            _ => BinaryPrimitives.ReadDoubleBigEndian(be),
        };
    }

    /// <inheritdoc />
    protected override I2cResult OnInitialize(out string details)
    {
        details = $"{_channels.Length} register value(s)";
        return I2cResult.Ok;
    }

    /// <inheritdoc />
    protected override I2cResult Start(int step, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (_options.TriggerCommand.Count == 0)
        {
            return I2cResult.Ok;
        }

        wait = TimeSpan.FromMilliseconds(_options.TriggerDelayMs);
        return Device.TryWrite(_options.TriggerCommand.ToArray());
    }

    /// <inheritdoc />
    protected override I2cResult Fetch(int step, out bool notReady)
    {
        notReady = false;
        Span<byte> address = stackalloc byte[2];
        Span<byte> value = stackalloc byte[8];
        for (var i = 0; i < _options.Registers.Count; i++)
        {
            var r = _options.Registers[i];
            var size = I2cRegisterDefinition.SizeOf(r.Type);
            var pointer = address[..r.RegisterAddressBytes];
            if (r.RegisterAddressBytes == 2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(pointer, (ushort)r.Register);
            }
            else if (r.RegisterAddressBytes == 1)
            {
                pointer[0] = (byte)r.Register;
            }

            var result = Device.TryWriteRead(pointer, value[..size]);
            if (!result.IsOk)
            {
                return result;
            }

            _values[i] = Decode(value[..size], r.Type, r.ByteOrder) * r.Scale + r.Offset;
        }

        return I2cResult.Ok;
    }

    /// <inheritdoc />
    protected override I2cRegisterValues Complete() => new(_values.ToArray());

    /// <inheritdoc />
    protected override void ToValues(in I2cRegisterValues measurement, Span<double> values)
    {
        for (var i = 0; i < measurement.Values.Count; i++)
        {
            values[i] = measurement.Values[i];
        }
    }
}
