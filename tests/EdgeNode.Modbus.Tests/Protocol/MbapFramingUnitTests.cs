using System.Buffers;

namespace EdgeNode.Modbus.Tests.Protocol;

public class MbapFramingUnitTests
{
    [Fact]
    public void WriteHeader_ReadHolding_MatchesImplementationGuideLayout()
    {
        var adu = new byte[MbapFraming.HeaderLength];
        MbapFraming.WriteHeader(adu, 0x0001, 0x11, 5);
        // tid 0001, protocol 0000, length 0006 (unit + 5-byte PDU), unit 11
        Assert.Equal(Convert.FromHexString("00010000000611"), adu);
    }

    [Fact]
    public void TryDecode_CompleteFrame_GivesHeaderAndPdu()
    {
        var bytes = Convert.FromHexString("00070000000701" + "0304000A000B");
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(MbapFraming.TryDecode(sequence, out var header, out var pdu, out var consumed, out _));
        Assert.Equal(7, header.TransactionId);
        Assert.Equal(1, header.UnitId);
        Assert.Equal(6, header.PduLength);
        Assert.Equal(Convert.FromHexString("0304000A000B"), pdu.ToArray());
        Assert.Equal(bytes.Length, sequence.GetOffset(consumed));
    }

    [Fact]
    public void TryDecode_PartialFrame_IsFalseAndConsumesNothing()
    {
        var sequence = new ReadOnlySequence<byte>(Convert.FromHexString("000700000007010304"));
        Assert.False(MbapFraming.TryDecode(sequence, out _, out _, out var consumed, out var examined));
        Assert.Equal(0, sequence.GetOffset(consumed));
        Assert.Equal(sequence.Length, sequence.GetOffset(examined));
    }

    [Fact]
    public void TryDecode_FrameSplitAcrossSegments_Decodes()
    {
        var first = new Segment(Convert.FromHexString("0007000000"));
        var last = first.Append(Convert.FromHexString("07010304000A000B"));
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.True(MbapFraming.TryDecode(sequence, out var header, out var pdu, out _, out _));
        Assert.Equal(7, header.TransactionId);
        Assert.Equal(6, pdu.Length);
    }

    [Theory]
    [InlineData("00010001000601")] // protocol id 1
    [InlineData("00010000000101")] // length 1: no function code
    [InlineData("0001000000FF01")] // length 255 > 254
    public void TryDecode_BadHeader_ThrowsProtocolViolation(string header) =>
        Assert.Throws<ModbusProtocolViolationException>(() =>
            MbapFraming.TryDecode(new ReadOnlySequence<byte>(Convert.FromHexString(header + "03")), out _, out _, out _, out _));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data) => Memory = data;

        public Segment Append(byte[] data)
        {
            var next = new Segment(data) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
