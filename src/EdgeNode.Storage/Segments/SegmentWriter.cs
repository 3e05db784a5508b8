using System.Buffers.Binary;
using System.Text;

namespace EdgeNode.Storage.Segments;

/// <summary>A sealed segment ready to be written: its id fixes its place in the drain order.</summary>
internal sealed record SealedSegment(long Id, int Count, long MinTimestampMs, long MaxTimestampMs, byte[] Data);

/// <summary>Encodes changes into one growing segment (see <see cref="SegmentFormat"/>). Not thread-safe.</summary>
internal sealed class SegmentWriter
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private byte[] _buffer;
    private int _length;
    private long _previousTimestamp;
    private long _minTimestamp;
    private long _maxTimestamp;

    public SegmentWriter(int initialCapacity = 4096)
    {
        _buffer = new byte[Math.Max(initialCapacity, 64)];
        Reset();
    }

    public int Count { get; private set; }

    /// <summary>Encoded bytes so far, without the CRC.</summary>
    public int Length => _length;

    public void Write(int metricId, long timestampMs, in StoredValue value)
    {
        var reference = value.RawReference;
        var variable = value.Kind switch
        {
            StoredValueKind.String => s_utf8.GetByteCount((string)reference!),
            StoredValueKind.Bytes => ((byte[])reference!).Length,
            _ => 0,
        };

        // Worst case: id 5, tag 1, delta 10, payload 10 (or length 5 + bytes).
        EnsureCapacity(26 + variable);
        var span = _buffer.AsSpan(_length);
        var p = Varint.Write(span, (uint)metricId);
        var tagAt = p++;
        byte tag = 0;
        if (Count > 0 && timestampMs == _previousTimestamp)
        {
            tag |= SegmentFormat.SameTimestamp;
        }
        else
        {
            p += Varint.Write(span[p..], Varint.ZigZag(unchecked(timestampMs - _previousTimestamp)));
        }

        switch (value.Kind)
        {
            case StoredValueKind.Null:
                tag |= SegmentFormat.Null;
                break;
            case StoredValueKind.Boolean:
                tag |= value.RawBits != 0 ? SegmentFormat.True : SegmentFormat.False;
                break;
            case StoredValueKind.Int64:
                tag |= SegmentFormat.Int64;
                p += Varint.Write(span[p..], Varint.ZigZag(value.RawBits));
                break;
            case StoredValueKind.UInt64:
                tag |= SegmentFormat.UInt64;
                p += Varint.Write(span[p..], unchecked((ulong)value.RawBits));
                break;
            case StoredValueKind.Float:
                tag |= SegmentFormat.Float;
                BinaryPrimitives.WriteInt32LittleEndian(span[p..], (int)value.RawBits);
                p += 4;
                break;
            case StoredValueKind.Double:
                p += WriteDouble(span[p..], value.RawBits, ref tag);
                break;
            case StoredValueKind.String:
                tag |= SegmentFormat.String;
                p += Varint.Write(span[p..], (uint)variable);
                p += s_utf8.GetBytes((string)reference!, span[p..]);
                break;
            case StoredValueKind.Bytes:
                tag |= SegmentFormat.Bytes;
                p += Varint.Write(span[p..], (uint)variable);
                ((byte[])reference!).CopyTo(span[p..]);
                p += variable;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Kind, "unknown value kind");
        }

        span[tagAt] = tag;
        _length += p;
        if (Count == 0)
        {
            _minTimestamp = timestampMs;
            _maxTimestamp = timestampMs;
        }
        else
        {
            _minTimestamp = Math.Min(_minTimestamp, timestampMs);
            _maxTimestamp = Math.Max(_maxTimestamp, timestampMs);
        }

        _previousTimestamp = timestampMs;
        Count++;
    }

    /// <summary>Copies the segment out with its CRC and starts a new one.</summary>
    public SealedSegment Seal(long id)
    {
        var data = new byte[_length + SegmentFormat.CrcLength];
        _buffer.AsSpan(0, _length).CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(_length), Crc32C.Compute(data.AsSpan(0, _length)));
        var sealedSegment = new SealedSegment(id, Count, _minTimestamp, _maxTimestamp, data);
        Reset();
        return sealedSegment;
    }

    private void Reset()
    {
        // A segment that grew for one huge value does not keep that memory for ever.
        if (_buffer.Length > 1 << 20)
        {
            _buffer = new byte[64 << 10];
        }

        _buffer[0] = SegmentFormat.Version1;
        _length = 1;
        Count = 0;
        _previousTimestamp = 0;
    }

    private static int WriteDouble(Span<byte> span, long bits, ref byte tag)
    {
        var value = BitConverter.Int64BitsToDouble(bits);

        // Scaled Modbus values are often whole numbers or exactly representable floats; keep them short but exact.
        if (Math.Abs(value) <= 9007199254740992.0 && value == Math.Floor(value))
        {
            var asLong = (long)value;
            if (BitConverter.DoubleToInt64Bits(asLong) == bits) // excludes -0.0
            {
                tag |= SegmentFormat.DoubleAsInt;
                return Varint.Write(span, Varint.ZigZag(asLong));
            }
        }

        var asFloat = (float)value;
        if (BitConverter.DoubleToInt64Bits(asFloat) == bits)
        {
            tag |= SegmentFormat.DoubleAsFloat;
            BinaryPrimitives.WriteSingleLittleEndian(span, asFloat);
            return 4;
        }

        tag |= SegmentFormat.Double;
        BinaryPrimitives.WriteInt64LittleEndian(span, bits);
        return 8;
    }

    private void EnsureCapacity(int extra)
    {
        // Reserve room for the CRC as well so Seal never needs to grow.
        var needed = _length + extra + SegmentFormat.CrcLength;
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}
