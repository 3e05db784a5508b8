using System.Buffers.Binary;
using System.Text;

namespace EdgeNode.Storage.Segments;

/// <summary>Decodes a segment blob written by <see cref="SegmentWriter"/>; every malformation is a result, not a throw.</summary>
internal static class SegmentReader
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// Decodes every change of <paramref name="data"/> into <paramref name="changes"/>. Returns null on success, else why
    /// the segment is unusable (checksum, truncation, unknown metric id, count mismatch); <paramref name="changes"/> is
    /// then left as it was.
    /// </summary>
    public static string? TryDecode(ReadOnlySpan<byte> data, int expectedCount, Func<int, StoreMetric?> metrics, List<StoredChange> changes)
    {
        if (data.Length < 1 + SegmentFormat.CrcLength)
        {
            return $"segment of {data.Length} bytes is too short";
        }

        var body = data[..^SegmentFormat.CrcLength];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(data[^SegmentFormat.CrcLength..]);
        var actual = Crc32C.Compute(body);
        if (stored != actual)
        {
            return $"checksum mismatch (stored 0x{stored:X8}, computed 0x{actual:X8})";
        }

        if (body[0] != SegmentFormat.Version1)
        {
            return $"unknown segment format version {body[0]}";
        }

        var start = changes.Count;
        var error = DecodeBody(body, metrics, changes);
        if (error is null && changes.Count - start != expectedCount)
        {
            error = $"holds {changes.Count - start} changes, the row says {expectedCount}";
        }

        if (error is not null)
        {
            changes.RemoveRange(start, changes.Count - start);
        }

        return error;
    }

    private static string? DecodeBody(ReadOnlySpan<byte> body, Func<int, StoreMetric?> metrics, List<StoredChange> changes)
    {
        var p = 1;
        long timestamp = 0;
        StoreMetric? lastMetric = null;
        while (p < body.Length)
        {
            var at = p;
            if (!Varint.TryRead(body, ref p, out var id) || id > int.MaxValue)
            {
                return $"bad metric id at byte {at}";
            }

            var metric = lastMetric is not null && lastMetric.Id == (int)id ? lastMetric : metrics((int)id);
            if (metric is null)
            {
                return $"metric id {id} at byte {at} is not in the catalog";
            }

            lastMetric = metric;
            if (p >= body.Length)
            {
                return $"truncated change at byte {at}";
            }

            var tag = body[p++];
            if ((tag & SegmentFormat.ReservedMask) != 0)
            {
                return $"bad tag 0x{tag:X2} at byte {p - 1}";
            }

            if ((tag & SegmentFormat.SameTimestamp) == 0)
            {
                if (!Varint.TryRead(body, ref p, out var delta))
                {
                    return $"truncated timestamp at byte {at}";
                }

                timestamp = unchecked(timestamp + Varint.UnZigZag(delta));
            }

            StoredValue value;
            switch (tag & SegmentFormat.KindMask)
            {
                case SegmentFormat.Null:
                    value = StoredValue.Null;
                    break;
                case SegmentFormat.False:
                    value = StoredValue.FromBoolean(false);
                    break;
                case SegmentFormat.True:
                    value = StoredValue.FromBoolean(true);
                    break;
                case SegmentFormat.Int64:
                    if (!Varint.TryRead(body, ref p, out var zz))
                    {
                        return $"truncated integer at byte {at}";
                    }

                    value = StoredValue.FromInt64(Varint.UnZigZag(zz));
                    break;
                case SegmentFormat.UInt64:
                    if (!Varint.TryRead(body, ref p, out var u))
                    {
                        return $"truncated integer at byte {at}";
                    }

                    value = StoredValue.FromUInt64(u);
                    break;
                case SegmentFormat.Float:
                    if (body.Length - p < 4)
                    {
                        return $"truncated float at byte {at}";
                    }

                    value = StoredValue.FromFloat(BinaryPrimitives.ReadSingleLittleEndian(body[p..]));
                    p += 4;
                    break;
                case SegmentFormat.Double:
                    if (body.Length - p < 8)
                    {
                        return $"truncated double at byte {at}";
                    }

                    value = StoredValue.FromDouble(BinaryPrimitives.ReadDoubleLittleEndian(body[p..]));
                    p += 8;
                    break;
                case SegmentFormat.DoubleAsFloat:
                    if (body.Length - p < 4)
                    {
                        return $"truncated double at byte {at}";
                    }

                    value = StoredValue.FromDouble(BinaryPrimitives.ReadSingleLittleEndian(body[p..]));
                    p += 4;
                    break;
                case SegmentFormat.DoubleAsInt:
                    if (!Varint.TryRead(body, ref p, out var dz))
                    {
                        return $"truncated double at byte {at}";
                    }

                    value = StoredValue.FromDouble(Varint.UnZigZag(dz));
                    break;
                case SegmentFormat.String:
                case SegmentFormat.Bytes:
                    if (!Varint.TryRead(body, ref p, out var length) || length > (ulong)(body.Length - p))
                    {
                        return $"truncated string or bytes at byte {at}";
                    }

                    var slice = body.Slice(p, (int)length);
                    p += (int)length;
                    value = (tag & SegmentFormat.KindMask) == SegmentFormat.String
                        ? StoredValue.FromString(s_utf8.GetString(slice))
                        : StoredValue.FromBytes(slice.ToArray());
                    break;
                default:
                    return $"unknown value kind {tag & SegmentFormat.KindMask} at byte {at}";
            }

            changes.Add(new StoredChange(metric, timestamp, value));
        }

        return null;
    }
}
