using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace EdgeNode.Sparkplug;

/// <summary>
/// A Sparkplug B payload (<c>Payload</c>, Sparkplug 3.0 §6.4.2) as an object model: what <see cref="TryDecode(ReadOnlySpan{byte}, out SparkplugPayload?, out string?)"/>
/// returns for NCMD/DCMD/STATE-era messages and tests, and an encoder for rare messages. The publish hot path uses
/// <see cref="SparkplugPayloadWriter"/> directly; both produce the same bytes for the same content.
/// </summary>
public sealed class SparkplugPayload
{
    /// <summary>Milliseconds since the Unix epoch (UTC) when the message was sent; null when absent.</summary>
    public ulong? Timestamp { get; set; }

    /// <summary>The metrics, in order.</summary>
    public List<SparkplugMetric> Metrics { get; } = [];

    /// <summary>The sequence number; null when absent (NDEATH, NCMD, DCMD).</summary>
    public ulong? Seq { get; set; }

    /// <summary>Optional schema UUID.</summary>
    public string? Uuid { get; set; }

    /// <summary>Optional opaque body.</summary>
    public byte[]? Body { get; set; }

    /// <summary>
    /// Decodes a payload. Never throws on malformed input: returns false with a one-line reason naming the offending
    /// element (e.g. <c>metric 2 'Speed': datatype Float cannot be carried in int_value of a Metric</c>).
    /// Decoding accepts UInt32 values in <c>int_value</c> and <c>long_value</c>, any field order, packed or unpacked
    /// repeated scalars, and skips unknown fields and extensions.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out SparkplugPayload? payload,
        [NotNullWhen(false)] out string? error)
    {
        if (SparkplugDecoder.TryDecodePayload(bytes, out var decoded, out error) && decoded is not null)
        {
            payload = decoded;
            return true;
        }

        error ??= "malformed payload";
        payload = null;
        return false;
    }

    /// <summary>
    /// Counts the top-level metrics of an encoded payload without decoding them (one pass over the bytes, no
    /// allocation), so a receiver can refuse a payload with too many before building it; -1 when the bytes are not a
    /// well-formed message.
    /// </summary>
    public static int CountMetrics(ReadOnlySpan<byte> bytes) => SparkplugDecoder.CountMetrics(bytes);

    /// <summary>Decodes a payload that may span several buffers (as an MQTT client's pipe delivers it).</summary>
    public static bool TryDecode(in ReadOnlySequence<byte> bytes, [NotNullWhen(true)] out SparkplugPayload? payload,
        [NotNullWhen(false)] out string? error)
    {
        if (bytes.IsSingleSegment)
        {
            return TryDecode(bytes.FirstSpan, out payload, out error);
        }

        if (bytes.Length > int.MaxValue)
        {
            payload = null;
            error = "payload larger than 2 GiB";
            return false;
        }

        // Decoded values never point into the input (strings and byte arrays are copied), so a pooled buffer is safe.
        var length = (int)bytes.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            bytes.CopyTo(rented);
            return TryDecode(rented.AsSpan(0, length), out payload, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes a payload, throwing <see cref="SparkplugProtocolViolationException"/> when it is malformed.</summary>
    public static SparkplugPayload Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var payload, out var error) ? payload : throw new SparkplugProtocolViolationException(error);

    /// <summary>The encoded size in bytes.</summary>
    public int CalculateSize(SparkplugEncodingOptions? options = null)
    {
        var counter = new CountingBufferWriter();
        WriteTo(counter, options);
        return counter.Count;
    }

    /// <summary>Encodes the payload into <paramref name="output"/>.</summary>
    public void WriteTo(IBufferWriter<byte> output, SparkplugEncodingOptions? options = null)
    {
        var writer = new SparkplugPayloadWriter(output, options);
        if (Timestamp is { } ts)
        {
            writer.WriteTimestamp(ts);
        }

        foreach (var metric in Metrics)
        {
            writer.WriteMetric(metric);
        }

        if (Seq is { } seq)
        {
            writer.WriteSeq(seq);
        }

        if (Uuid is { } uuid)
        {
            writer.WriteUuid(uuid);
        }

        if (Body is { } body)
        {
            writer.WriteBody(body);
        }
    }

    /// <summary>Encodes the payload into a new array.</summary>
    public byte[] ToByteArray(SparkplugEncodingOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteTo(buffer, options);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The first metric named <paramref name="name"/> (ordinal), or null.</summary>
    public SparkplugMetric? FindMetric(string name)
    {
        foreach (var metric in Metrics)
        {
            if (string.Equals(metric.Name, name, StringComparison.Ordinal))
            {
                return metric;
            }
        }

        return null;
    }

    /// <summary>
    /// True for an NCMD asking for a rebirth: a metric named <c>Node Control/Rebirth</c> whose value is Boolean true
    /// (also accepted without a datatype, as a boolean_value) [tck-id-operational-behavior-data-commands-ncmd-rebirth-verb].
    /// </summary>
    public bool IsRebirthRequest()
    {
        foreach (var metric in Metrics)
        {
            if (string.Equals(metric.Name, SparkplugNames.NodeControlRebirth, StringComparison.Ordinal)
                && metric.Value.DataType == SparkplugDataType.Boolean && !metric.Value.IsNull && metric.Value.AsBoolean())
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"Payload(timestamp={Timestamp?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, seq={Seq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, {Metrics.Count} metrics)";

    /// <summary>An output that only counts (sizes without a buffer the size of the payload).</summary>
    private sealed class CountingBufferWriter : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[256];

        public int Count { get; private set; }

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint).Span;

        private Memory<byte> Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length)
            {
                _scratch = new byte[sizeHint];
            }

            return _scratch;
        }
    }
}

/// <summary>Bytes that are not a valid Sparkplug B payload (thrown only by <see cref="SparkplugPayload.Decode"/>).</summary>
public sealed class SparkplugProtocolViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SparkplugProtocolViolationException()
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    public SparkplugProtocolViolationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a reason and a cause.</summary>
    public SparkplugProtocolViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
