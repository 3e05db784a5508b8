namespace EdgeNode.Modbus;

/// <summary>Result of scanning received bytes for an RTU response.</summary>
internal enum RtuScanStatus
{
    /// <summary>No complete frame yet; the bytes before <c>consumed</c> can be dropped.</summary>
    NeedMore,

    /// <summary>A frame with a valid CRC and the expected header was found.</summary>
    Found,
}

/// <summary>
/// RTU framing (Modbus over Serial Line V1.02 §2.5.1): [address][PDU][CRC lo][CRC hi]. Responses are found by length
/// prediction, not by gap timing (NModbus' approach): after the address and function (and the byte count of a
/// read) the frame length is known, and the CRC confirms it. Leading garbage (line noise when a transceiver turns
/// on, a late answer to an earlier request) is skipped byte by byte, and so is an echo of our own request on
/// adapters that receive while they transmit.
/// </summary>
internal static class RtuFraming
{
    /// <summary>Address + max PDU + CRC = 256 bytes (§2.5.1).</summary>
    public const int MaxAduLength = 256;

    /// <summary>Writes [unit][pdu][crc] into <paramref name="adu"/>; returns the ADU length.</summary>
    public static int Encode(Span<byte> adu, byte unit, ReadOnlySpan<byte> pdu)
    {
        adu[0] = unit;
        pdu.CopyTo(adu[1..]);
        return Crc16.Append(adu, 1 + pdu.Length);
    }

    /// <summary>
    /// Looks for the response to <paramref name="requestAdu"/> in <paramref name="buffer"/>.
    /// </summary>
    /// <param name="buffer">Bytes received since the request was sent (minus what earlier scans consumed).</param>
    /// <param name="requestAdu">The request as sent: its unit and function select the response.</param>
    /// <param name="skipEcho">Skip one leading copy of the request (the transceiver's echo) before the response.</param>
    /// <param name="frameStart">When found: offset of the response ADU.</param>
    /// <param name="frameLength">When found: its length.</param>
    /// <param name="consumed">Bytes at the start that can never belong to the response (garbage, the echo).</param>
    /// <param name="echoSkipped">True when a copy of the request was skipped.</param>
    /// <param name="badCrc">True when a complete frame with the right address and function failed its CRC.</param>
    public static RtuScanStatus Scan(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> requestAdu, bool skipEcho,
        out int frameStart, out int frameLength, out int consumed, out bool echoSkipped, out bool badCrc)
    {
        frameStart = 0;
        frameLength = 0;
        echoSkipped = false;
        badCrc = false;
        var unit = requestAdu[0];
        var function = requestAdu[1];
        var pos = 0;
        while (pos < buffer.Length)
        {
            var rest = buffer[pos..];
            if (skipEcho && !echoSkipped && rest.StartsWith(requestAdu))
            {
                pos += requestAdu.Length;
                echoSkipped = true;
                continue;
            }

            if (rest[0] != unit)
            {
                pos++;
                continue;
            }

            if (rest.Length < 2)
            {
                break;
            }

            var pduLength = ModbusPdu.PredictResponseLength(rest[1..], function);
            if (pduLength < 0 || pduLength > ModbusPdu.MaxLength)
            {
                pos++;
                continue;
            }

            if (pduLength == 0)
            {
                break; // need the byte count
            }

            var length = 1 + pduLength + 2;
            if (rest.Length < length)
            {
                break;
            }

            if (Crc16.Check(rest[..length]))
            {
                frameStart = pos;
                frameLength = length;
                consumed = pos;
                return RtuScanStatus.Found;
            }

            // A partial echo still arriving looks like a bad frame: wait for the rest of it instead of skipping.
            if (skipEcho && !echoSkipped && requestAdu.StartsWith(rest))
            {
                break;
            }

            badCrc = true;
            pos++;
        }

        consumed = pos;
        return RtuScanStatus.NeedMore;
    }
}
