using System.Buffers.Binary;
using System.Runtime.InteropServices;

// Kernel structs keep their uapi names (style.md §3), which are all lower case.
#pragma warning disable CS8981

namespace EdgeNode.I2c;

/// <summary>The i2c-dev character device (include/uapi/linux/i2c-dev.h, include/uapi/linux/i2c.h).</summary>
internal static partial class Interop
{
    // ioctl numbers: plain values, not _IOC-encoded (i2c-dev.h).
    internal const uint I2C_RETRIES = 0x0701;
    /// <summary>Adapter timeout in units of 10 ms (unsigned long argument).</summary>
    internal const uint I2C_TIMEOUT = 0x0702;
    /// <summary>Use this 7-bit address for read()/write(); EBUSY when a kernel driver has bound it.</summary>
    internal const uint I2C_SLAVE = 0x0703;
    internal const uint I2C_TENBIT = 0x0704;
    /// <summary>Writes the adapter's functionality mask to an <c>unsigned long</c>.</summary>
    internal const uint I2C_FUNCS = 0x0705;
    internal const uint I2C_SLAVE_FORCE = 0x0706;
    /// <summary>Combined transfer: struct i2c_rdwr_ioctl_data, one STOP at the end.</summary>
    internal const uint I2C_RDWR = 0x0707;
    internal const uint I2C_PEC = 0x0708;
    internal const uint I2C_SMBUS = 0x0720;

    /// <summary>I2C_RDWR_IOCTL_MAX_MSGS.</summary>
    internal const int I2C_RDWR_IOCTL_MAX_MSGS = 42;

    /// <summary>i2c-dev refuses messages longer than this (i2cdev_ioctl_rdwr: "len > 8192").</summary>
    internal const int I2C_MSG_MAX_LEN = 8192;

    /// <summary>i2c_msg.flags: read from the slave (guaranteed to be 0x0001).</summary>
    internal const ushort I2C_M_RD = 0x0001;

    /// <summary>Adapter functionality: plain I2C transfers (I2C_RDWR).</summary>
    internal const ulong I2C_FUNC_I2C = 0x00000001;

    /// <summary>
    /// <c>struct i2c_msg</c> {__u16 addr; __u16 flags; __u16 len; __u8 *buf} as the runtime lays it out for the
    /// current process: 16 bytes on 64-bit, 12 on 32-bit (the pointer is 4-aligned there). Only used to check
    /// <see cref="I2cRdwrLayout"/> against the native layout; the transport encodes through the layout.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct i2c_msg
    {
        public ushort addr;
        public ushort flags;
        public ushort len;
        public byte* buf;
    }

    /// <summary><c>struct i2c_rdwr_ioctl_data</c> {struct i2c_msg *msgs; __u32 nmsgs}: 16 bytes on 64-bit, 8 on 32-bit.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct i2c_rdwr_ioctl_data
    {
        public i2c_msg* msgs;
        public uint nmsgs;
    }
}

/// <summary>
/// The I2C_RDWR argument layout for a given pointer size, so the 32-bit (armhf) layout is the same code as the 64-bit
/// one and both are unit-tested on any machine. i2c_msg: addr@0, flags@2, len@4, then buf at the next pointer-aligned
/// offset (8 for both 4- and 8-byte pointers); size = that + pointer size, rounded to pointer alignment: 16 / 12.
/// i2c_rdwr_ioctl_data: msgs@0, nmsgs@pointer size; size 16 / 8.
/// </summary>
internal static class I2cRdwrLayout
{
    internal const int AddrOffset = 0;
    internal const int FlagsOffset = 2;
    internal const int LenOffset = 4;

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;

    internal static int BufOffset(int pointerSize) => Align(LenOffset + 2, pointerSize);

    internal static int MsgSize(int pointerSize) => Align(BufOffset(pointerSize) + pointerSize, pointerSize);

    internal static int NmsgsOffset(int pointerSize) => pointerSize;

    internal static int DataSize(int pointerSize) => Align(NmsgsOffset(pointerSize) + 4, pointerSize);

    /// <summary>Encodes one i2c_msg at <paramref name="destination"/> (native byte order, padding zeroed).</summary>
    internal static void WriteMsg(Span<byte> destination, int pointerSize, ushort address, ushort flags, ushort length, ulong buffer)
    {
        var msg = destination[..MsgSize(pointerSize)];
        msg.Clear();
        MemoryMarshal.Write(msg[AddrOffset..], address);
        MemoryMarshal.Write(msg[FlagsOffset..], flags);
        MemoryMarshal.Write(msg[LenOffset..], length);
        WritePointer(msg[BufOffset(pointerSize)..], pointerSize, buffer);
    }

    /// <summary>Encodes the i2c_rdwr_ioctl_data at <paramref name="destination"/>.</summary>
    internal static void WriteData(Span<byte> destination, int pointerSize, ulong messages, uint count)
    {
        var data = destination[..DataSize(pointerSize)];
        data.Clear();
        WritePointer(data, pointerSize, messages);
        MemoryMarshal.Write(data[NmsgsOffset(pointerSize)..], count);
    }

    private static void WritePointer(Span<byte> destination, int pointerSize, ulong value)
    {
        if (pointerSize == 8)
        {
            MemoryMarshal.Write(destination, value);
        }
        else
        {
            MemoryMarshal.Write(destination, checked((uint)value));
        }
    }

    /// <summary>Reads a field back (tests decode with this what the kernel would read).</summary>
    internal static ulong ReadPointer(ReadOnlySpan<byte> source, int pointerSize) =>
        pointerSize == 8 ? MemoryMarshal.Read<ulong>(source) : MemoryMarshal.Read<uint>(source);

    internal static ushort ReadU16(ReadOnlySpan<byte> source) => BitConverter.IsLittleEndian
        ? BinaryPrimitives.ReadUInt16LittleEndian(source)
        : BinaryPrimitives.ReadUInt16BigEndian(source);
}
