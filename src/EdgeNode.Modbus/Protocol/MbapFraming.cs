using System.Buffers;
using System.Buffers.Binary;

namespace EdgeNode.Modbus;

/// <summary>A decoded MBAP frame header (Modbus Messaging on TCP/IP Implementation Guide V1.0b §3.1.3).</summary>
internal readonly record struct MbapHeader(ushort TransactionId, byte UnitId, int PduLength);

/// <summary>
/// MBAP framing: [transaction id:2][protocol id:2 = 0][length:2 = unit + PDU][unit:1][PDU]. The length field makes
/// the framing exact; a protocol id other than 0 or a length outside 2–254 means the stream is not Modbus (or lost
/// sync), which cannot be recovered on a byte stream: the connection is dropped.
/// </summary>
internal static class MbapFraming
{
    public const int HeaderLength = 7;
    public const int MaxAduLength = HeaderLength + ModbusPdu.MaxLength + 1;

    public static int WriteHeader(Span<byte> adu, ushort transactionId, byte unitId, int pduLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(adu, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(adu[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(adu[4..], (ushort)(pduLength + 1));
        adu[6] = unitId;
        return HeaderLength;
    }

    /// <summary>
    /// Decodes one frame from the start of <paramref name="buffer"/> (style: TryDecode on a sequence so the same codec
    /// serves a PipeReader and unit tests). False on a partial frame; <paramref name="consumed"/> then stays at the start
    /// and <paramref name="examined"/> at the end.
    /// </summary>
    /// <exception cref="ModbusProtocolViolationException">A protocol id other than 0 or an impossible length.</exception>
    public static bool TryDecode(in ReadOnlySequence<byte> buffer, out MbapHeader header, out ReadOnlySequence<byte> pdu,
        out SequencePosition consumed, out SequencePosition examined)
    {
        header = default;
        pdu = default;
        consumed = buffer.Start;
        examined = buffer.End;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(head);
        header = ParseHeader(head);
        var total = HeaderLength + header.PduLength;
        if (buffer.Length < total)
        {
            return false;
        }

        pdu = buffer.Slice(HeaderLength, header.PduLength);
        consumed = examined = buffer.GetPosition(total);
        return true;
    }

    /// <summary>Parses and checks a 7-byte MBAP header.</summary>
    public static MbapHeader ParseHeader(ReadOnlySpan<byte> head)
    {
        var protocolId = BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(head[4..]);
        if (protocolId != 0)
        {
            throw new ModbusProtocolViolationException($"MBAP protocol id {protocolId}, expected 0 (Modbus)");
        }

        if (length is < 2 or > ModbusPdu.MaxLength + 1)
        {
            throw new ModbusProtocolViolationException($"MBAP length {length} outside 2–{ModbusPdu.MaxLength + 1}");
        }

        return new MbapHeader(BinaryPrimitives.ReadUInt16BigEndian(head), head[6], length - 1);
    }
}
