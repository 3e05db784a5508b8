using System.Buffers.Binary;

namespace EdgeNode.I2c;

/// <summary>
/// A device at one address of an <see cref="I2cBus"/>. Transfers are synchronous and Span-based; each is one I2C_RDWR
/// transaction with the bus lock held and the bus's retries on NACK. The <c>Try…</c> methods return the outcome; the
/// others throw <see cref="I2cException"/>. Thread-safe (transfers are serialized by the bus).
/// </summary>
public sealed class I2cDevice
{
    internal I2cDevice(I2cBus bus, int address)
    {
        Bus = bus;
        Address = address;
    }

    /// <summary>The bus.</summary>
    public I2cBus Bus { get; }

    /// <summary>The 7-bit address.</summary>
    public int Address { get; }

    /// <summary>
    /// Writes <paramref name="write"/>, then reads <paramref name="read"/> after a repeated START, in one transaction
    /// (the usual "set register pointer, read registers"). Either may be empty.
    /// </summary>
    /// <param name="write">Bytes to send.</param>
    /// <param name="read">Where the answer goes.</param>
    /// <param name="retries">Overrides the bus's retry count for this transfer (0 when a NACK is an expected answer).</param>
    public I2cResult TryWriteRead(ReadOnlySpan<byte> write, Span<byte> read, int? retries = null) =>
        Bus.Transfer(Address, write, read, retries);

    /// <summary>Writes <paramref name="data"/> in one transaction.</summary>
    public I2cResult TryWrite(ReadOnlySpan<byte> data, int? retries = null) => Bus.Transfer(Address, data, default, retries);

    /// <summary>Reads <paramref name="data"/> in one transaction.</summary>
    public I2cResult TryRead(Span<byte> data, int? retries = null) => Bus.Transfer(Address, default, data, retries);

    /// <summary>As <see cref="TryWriteRead"/>, throwing <see cref="I2cException"/> on failure.</summary>
    public void WriteRead(ReadOnlySpan<byte> write, Span<byte> read) => TryWriteRead(write, read).ThrowIfFailed(Bus.Name, Address);

    /// <summary>As <see cref="TryWrite"/>, throwing <see cref="I2cException"/> on failure.</summary>
    public void Write(ReadOnlySpan<byte> data) => TryWrite(data).ThrowIfFailed(Bus.Name, Address);

    /// <summary>As <see cref="TryRead"/>, throwing <see cref="I2cException"/> on failure.</summary>
    public void Read(Span<byte> data) => TryRead(data).ThrowIfFailed(Bus.Name, Address);

    /// <summary>Reads consecutive registers from an 8-bit register address (write pointer, repeated START, read).</summary>
    public I2cResult TryReadRegisters(byte register, Span<byte> data)
    {
        Span<byte> pointer = [register];
        return TryWriteRead(pointer, data);
    }

    /// <summary>Writes one 8-bit register.</summary>
    public I2cResult TryWriteRegister(byte register, byte value)
    {
        Span<byte> bytes = [register, value];
        return TryWrite(bytes);
    }

    /// <summary>Writes one 16-bit register, most significant byte first (TI and most word-register devices).</summary>
    public I2cResult TryWriteRegister16(byte register, ushort value)
    {
        Span<byte> bytes = [register, (byte)(value >> 8), (byte)value];
        return TryWrite(bytes);
    }

    /// <summary>Reads one 16-bit register, most significant byte first.</summary>
    public I2cResult TryReadRegister16(byte register, out ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        var result = TryReadRegisters(register, bytes);
        value = result.IsOk ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : (ushort)0;
        return result;
    }

    /// <summary>Reads one 8-bit register, throwing on failure.</summary>
    public byte ReadRegister(byte register)
    {
        Span<byte> value = stackalloc byte[1];
        TryReadRegisters(register, value).ThrowIfFailed(Bus.Name, Address);
        return value[0];
    }

    /// <summary>Reads one 16-bit big-endian register, throwing on failure.</summary>
    public ushort ReadRegister16(byte register)
    {
        TryReadRegister16(register, out var value).ThrowIfFailed(Bus.Name, Address);
        return value;
    }

    /// <summary>Writes one 8-bit register, throwing on failure.</summary>
    public void WriteRegister(byte register, byte value) => TryWriteRegister(register, value).ThrowIfFailed(Bus.Name, Address);

    /// <summary>Writes one 16-bit big-endian register, throwing on failure.</summary>
    public void WriteRegister16(byte register, ushort value) => TryWriteRegister16(register, value).ThrowIfFailed(Bus.Name, Address);

    /// <inheritdoc />
    public override string ToString() => $"0x{Address:X2} on {Bus.Name}";
}
