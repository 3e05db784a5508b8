using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static EdgeNode.I2c.Interop;

namespace EdgeNode.I2c.Tests.Interop;

/// <summary>i2c-dev.h / i2c.h constants and the I2C_RDWR argument layout for 64-bit AND 32-bit (armhf) pointers.</summary>
public class I2cInteropLayoutUnitTests
{
    [Fact]
    public void IoctlNumbers_MatchI2cDevHeader()
    {
        Assert.Equal(0x0701u, I2C_RETRIES);
        Assert.Equal(0x0702u, I2C_TIMEOUT);
        Assert.Equal(0x0703u, I2C_SLAVE);
        Assert.Equal(0x0704u, I2C_TENBIT);
        Assert.Equal(0x0705u, I2C_FUNCS);
        Assert.Equal(0x0706u, I2C_SLAVE_FORCE);
        Assert.Equal(0x0707u, I2C_RDWR);
        Assert.Equal(0x0708u, I2C_PEC);
        Assert.Equal(0x0720u, I2C_SMBUS);
        Assert.Equal(42, I2C_RDWR_IOCTL_MAX_MSGS);
        Assert.Equal(1, I2C_M_RD);
        Assert.Equal(1UL, I2C_FUNC_I2C);
    }

    [Theory]
    [InlineData(8, 16, 8)]
    [InlineData(4, 12, 8)]
    public void I2cMsgLayout_PerPointerSize_Is16Or12BytesWithBufAt8(int pointerSize, int size, int bufOffset)
    {
        Assert.Equal(size, I2cRdwrLayout.MsgSize(pointerSize));
        Assert.Equal(bufOffset, I2cRdwrLayout.BufOffset(pointerSize));
        Assert.Equal((0, 2, 4), (I2cRdwrLayout.AddrOffset, I2cRdwrLayout.FlagsOffset, I2cRdwrLayout.LenOffset));
    }

    [Theory]
    [InlineData(8, 16, 8)]
    [InlineData(4, 8, 4)]
    public void RdwrDataLayout_PerPointerSize_HasNmsgsAfterThePointer(int pointerSize, int size, int nmsgsOffset)
    {
        Assert.Equal(size, I2cRdwrLayout.DataSize(pointerSize));
        Assert.Equal(nmsgsOffset, I2cRdwrLayout.NmsgsOffset(pointerSize));
    }

    [Fact]
    public unsafe void NativeStructs_ThisProcess_MatchTheLayoutForItsPointerSize()
    {
        Assert.Equal(I2cRdwrLayout.MsgSize(IntPtr.Size), Unsafe.SizeOf<i2c_msg>());
        Assert.Equal(I2cRdwrLayout.BufOffset(IntPtr.Size), (int)Marshal.OffsetOf<i2c_msg>(nameof(i2c_msg.buf)));
        Assert.Equal(4, (int)Marshal.OffsetOf<i2c_msg>(nameof(i2c_msg.len)));
        Assert.Equal(I2cRdwrLayout.DataSize(IntPtr.Size), Unsafe.SizeOf<i2c_rdwr_ioctl_data>());
        Assert.Equal(I2cRdwrLayout.NmsgsOffset(IntPtr.Size), (int)Marshal.OffsetOf<i2c_rdwr_ioctl_data>(nameof(i2c_rdwr_ioctl_data.nmsgs)));
    }

    [Fact]
    public void WriteMsg_ThirtyTwoBit_PlacesEveryFieldAndZeroesPadding()
    {
        var bytes = Enumerable.Repeat((byte)0xEE, 24).ToArray();
        I2cRdwrLayout.WriteMsg(bytes, 4, 0x76, I2C_M_RD, 8, 0x12345678);
        Assert.Equal(new byte[] { 0x76, 0, 0x01, 0, 8, 0, 0, 0, 0x78, 0x56, 0x34, 0x12 }, bytes[..12]);
        Assert.All(bytes[12..], b => Assert.Equal(0xEE, b)); // the next message is untouched
        Assert.Equal(0x12345678UL, I2cRdwrLayout.ReadPointer(bytes.AsSpan(8), 4));
    }

    [Fact]
    public void WriteMsg_SixtyFourBit_PlacesEveryFieldAndZeroesPadding()
    {
        var bytes = new byte[16];
        I2cRdwrLayout.WriteMsg(bytes, 8, 0x44, 0, 2, 0x0000_7F01_2345_6789);
        Assert.Equal(new byte[] { 0x44, 0, 0, 0, 2, 0, 0, 0, 0x89, 0x67, 0x45, 0x23, 0x01, 0x7F, 0, 0 }, bytes);
    }

    [Fact]
    public void WriteData_BothPointerSizes_EncodeMessagesAndCount()
    {
        var data32 = new byte[8];
        I2cRdwrLayout.WriteData(data32, 4, 0xCAFE0000, 2);
        Assert.Equal(new byte[] { 0, 0, 0xFE, 0xCA, 2, 0, 0, 0 }, data32);
        var data64 = Enumerable.Repeat((byte)0xEE, 16).ToArray();
        I2cRdwrLayout.WriteData(data64, 8, 0x1000, 1);
        Assert.Equal(new byte[] { 0, 0x10, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 }, data64);
    }

    [Fact]
    public void TwoMessages_ThirtyTwoBit_SecondStartsAtByte12()
    {
        // A write-then-read as armhf lays it out: [write msg][read msg], 24 bytes, the read message at offset 12.
        var msgs = new byte[24];
        I2cRdwrLayout.WriteMsg(msgs, 4, 0x76, 0, 1, 0x1000);
        I2cRdwrLayout.WriteMsg(msgs.AsSpan(I2cRdwrLayout.MsgSize(4)), 4, 0x76, I2C_M_RD, 6, 0x2000);
        Assert.Equal(0x76, I2cRdwrLayout.ReadU16(msgs.AsSpan(12)));
        Assert.Equal(I2C_M_RD, I2cRdwrLayout.ReadU16(msgs.AsSpan(14)));
        Assert.Equal(6, I2cRdwrLayout.ReadU16(msgs.AsSpan(16)));
        Assert.Equal(0x2000UL, I2cRdwrLayout.ReadPointer(msgs.AsSpan(20), 4));
    }

    [Fact]
    public void WriteMsg_PointerBeyond32Bits_RefusedForThirtyTwoBit() =>
        Assert.Throws<OverflowException>(() => I2cRdwrLayout.WriteMsg(new byte[12], 4, 1, 0, 1, 0x1_0000_0000));
}
