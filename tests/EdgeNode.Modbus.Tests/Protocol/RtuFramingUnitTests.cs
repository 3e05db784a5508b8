namespace EdgeNode.Modbus.Tests.Protocol;

public class RtuFramingUnitTests
{
    // Unit 1, read 2 holding registers at 0.
    private static readonly byte[] s_request = Frame("010300000002");
    private static readonly byte[] s_response = Frame("010304000A000B");

    private static byte[] Frame(string hexWithoutCrc)
    {
        var body = Convert.FromHexString(hexWithoutCrc);
        var frame = new byte[body.Length + 2];
        body.CopyTo(frame, 0);
        Crc16.Append(frame, body.Length);
        return frame;
    }

    private static RtuScanStatus Scan(byte[] buffer, bool skipEcho, out int start, out int length, out int consumed, out bool echo, out bool badCrc) =>
        RtuFraming.Scan(buffer, s_request, skipEcho, out start, out length, out consumed, out echo, out badCrc);

    [Fact]
    public void Encode_AppendsAddressAndCrc() =>
        Assert.Equal(Convert.FromHexString("01030000000AC5CD"), RtuEncode(1, Convert.FromHexString("030000000A")));

    private static byte[] RtuEncode(byte unit, byte[] pdu)
    {
        var adu = new byte[RtuFraming.MaxAduLength];
        return adu[..RtuFraming.Encode(adu, unit, pdu)];
    }

    [Fact]
    public void Scan_CleanResponse_IsFoundAtZero()
    {
        Assert.Equal(RtuScanStatus.Found, Scan(s_response, false, out var start, out var length, out _, out _, out _));
        Assert.Equal(0, start);
        Assert.Equal(s_response.Length, length);
    }

    [Fact]
    public void Scan_PartialResponse_NeedsMoreAndConsumesNothing()
    {
        Assert.Equal(RtuScanStatus.NeedMore, Scan(s_response[..5], false, out _, out _, out var consumed, out _, out _));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Scan_LeadingGarbage_IsSkipped()
    {
        byte[] buffer = [0x00, 0xFF, 0x01, 0x99, .. s_response];
        Assert.Equal(RtuScanStatus.Found, Scan(buffer, false, out var start, out _, out _, out _, out _));
        Assert.Equal(4, start);
    }

    [Fact]
    public void Scan_EchoThenResponse_SkipsEcho()
    {
        byte[] buffer = [.. s_request, .. s_response];
        Assert.Equal(RtuScanStatus.Found, Scan(buffer, true, out var start, out _, out _, out var echo, out _));
        Assert.True(echo);
        Assert.Equal(s_request.Length, start);
    }

    [Fact]
    public void Scan_EchoOnly_NeedsMoreAndConsumesIt()
    {
        Assert.Equal(RtuScanStatus.NeedMore, Scan(s_request, true, out _, out _, out var consumed, out var echo, out _));
        Assert.True(echo);
        Assert.Equal(s_request.Length, consumed);
    }

    [Fact]
    public void Scan_PartialEcho_Waits()
    {
        Assert.Equal(RtuScanStatus.NeedMore, Scan(s_request[..6], true, out _, out _, out var consumed, out _, out _));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Scan_CorruptCrc_ReportsBadCrcAndNeverFinds()
    {
        var corrupt = (byte[])s_response.Clone();
        corrupt[^1] ^= 0x01;
        Assert.Equal(RtuScanStatus.NeedMore, Scan(corrupt, false, out _, out _, out _, out _, out var badCrc));
        Assert.True(badCrc);
    }

    [Fact]
    public void Scan_ExceptionResponse_IsFound()
    {
        var exception = Frame("018302");
        Assert.Equal(RtuScanStatus.Found, Scan(exception, false, out _, out var length, out _, out _, out _));
        Assert.Equal(5, length);
    }

    [Fact]
    public void Scan_OtherUnitsFrame_IsSkippedAsGarbage()
    {
        byte[] buffer = [.. Frame("020304000A000B"), .. s_response];
        Assert.Equal(RtuScanStatus.Found, Scan(buffer, false, out var start, out _, out _, out _, out _));
        Assert.Equal(9, start);
    }

    [Fact]
    public void Scan_WriteSingleRegisterWithEcho_SkipsOnlyOneCopy()
    {
        var request = Frame("0106000100FF");
        byte[] buffer = [.. request, .. request];
        Assert.Equal(RtuScanStatus.Found, RtuFraming.Scan(buffer, request, true, out var start, out _, out _, out var echo, out _));
        Assert.True(echo);
        Assert.Equal(request.Length, start);
    }
}
