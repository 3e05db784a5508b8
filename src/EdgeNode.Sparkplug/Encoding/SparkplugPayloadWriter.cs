using System.Buffers;

namespace EdgeNode.Sparkplug;

/// <summary>
/// Writes a Sparkplug B payload straight into an <see cref="IBufferWriter{T}"/> in protobuf wire format. Each call
/// computes the exact size of what it writes, takes one span of that size from the output and fills it: no
/// intermediate buffers and no heap allocation (with an output that reuses its memory, such as a reset
/// <see cref="ArrayBufferWriter{T}"/>).
/// </summary>
/// <remarks>
/// <para>Write the fields in the order of the schema for canonical output: <see cref="WriteTimestamp(ulong)"/>, the
/// metrics, <see cref="WriteSeq"/>, then <see cref="WriteUuid"/>/<see cref="WriteBody"/> if any (decoders accept any
/// order). Fields you do not write are absent on the wire, which is how an NDEATH carries no <c>seq</c>
/// [tck-id-payloads-ndeath-seq] while an NBIRTH carries <c>seq = 0</c> [tck-id-payloads-nbirth-seq].</para>
/// <code>
/// var writer = new SparkplugPayloadWriter(buffer, options);
/// writer.WriteTimestamp(now);
/// foreach (var change in changes)
///     writer.WriteMetric(SparkplugMetricData.Data(change.Alias, change.Timestamp, change.Value));
/// writer.WriteSeq(seq);
/// </code>
/// </remarks>
public ref struct SparkplugPayloadWriter
{
    private readonly IBufferWriter<byte> _output;
    private readonly SparkplugEncodingOptions _options;
    private long _written;

    /// <summary>A writer appending to <paramref name="output"/>, encoding with <paramref name="options"/> (default: the spec's).</summary>
    public SparkplugPayloadWriter(IBufferWriter<byte> output, SparkplugEncodingOptions? options = null)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _options = options ?? SparkplugEncodingOptions.Default;
        _written = 0;
    }

    /// <summary>Bytes written so far by this writer.</summary>
    public readonly long BytesWritten => _written;

    /// <summary>Writes the payload timestamp (ms since the Unix epoch, UTC) [tck-id-payloads-timestamp-in-UTC].</summary>
    public void WriteTimestamp(ulong unixMilliseconds) => WriteVarintField(WireFields.Payload.Timestamp, unixMilliseconds);

    /// <summary>Writes the payload timestamp.</summary>
    public void WriteTimestamp(DateTimeOffset timestamp) => WriteTimestamp((ulong)timestamp.ToUnixTimeMilliseconds());

    /// <summary>Writes the sequence number (0 for NBIRTH; 0-255 otherwise; never in NDEATH).</summary>
    public void WriteSeq(ulong seq) => WriteVarintField(WireFields.Payload.Seq, seq);

    /// <summary>Writes one metric.</summary>
    public void WriteMetric(in SparkplugMetricData metric)
    {
        var body = SparkplugEncoder.MetricSize(metric, _options, 0);
        var total = ProtoSize.Add(1, ProtoSize.LengthDelimited(body));
        var w = new ProtoSpanWriter(_output.GetSpan(total));
        w.WriteTag(WireFields.Payload.Metrics, WireFields.WireLengthDelimited);
        w.WriteVarint((uint)body);
        SparkplugEncoder.WriteMetric(ref w, metric, _options, 0);
        Advance(total, w.Position);
    }

    /// <summary>Writes one metric of the object model.</summary>
    public void WriteMetric(SparkplugMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        WriteMetric(metric.ToMetricData());
    }

    /// <summary>Writes the payload's <c>uuid</c> field.</summary>
    public void WriteUuid(string uuid)
    {
        ArgumentNullException.ThrowIfNull(uuid);
        var length = ProtoSize.Utf8(uuid);
        var total = 1 + ProtoSize.LengthDelimited(length);
        var w = new ProtoSpanWriter(_output.GetSpan(total));
        w.WriteTag(WireFields.Payload.Uuid, WireFields.WireLengthDelimited);
        w.WriteString(uuid);
        Advance(total, w.Position);
    }

    /// <summary>Writes the payload's <c>body</c> field.</summary>
    public void WriteBody(ReadOnlySpan<byte> body)
    {
        var total = ProtoSize.Add(1, ProtoSize.LengthDelimited(body.Length));
        var w = new ProtoSpanWriter(_output.GetSpan(total));
        w.WriteTag(WireFields.Payload.Body, WireFields.WireLengthDelimited);
        w.WriteBytes(body);
        Advance(total, w.Position);
    }

    /// <summary>The encoded size of <paramref name="metric"/> including its tag and length prefix.</summary>
    public static int GetMetricSize(in SparkplugMetricData metric, SparkplugEncodingOptions? options = null) =>
        ProtoSize.Add(1, ProtoSize.LengthDelimited(SparkplugEncoder.MetricSize(metric, options ?? SparkplugEncodingOptions.Default, 0)));

    private void WriteVarintField(int field, ulong value)
    {
        var total = 1 + ProtoSize.Varint(value);
        var w = new ProtoSpanWriter(_output.GetSpan(total));
        w.WriteTag(field, WireFields.WireVarint);
        w.WriteVarint(value);
        Advance(total, w.Position);
    }

    private void Advance(int expected, int actual)
    {
        if (actual != expected)
        {
            // A size/writer mismatch is a bug in this codec: never publish a corrupt payload.
            throw new InvalidOperationException($"Sparkplug encoder wrote {actual} bytes where it computed {expected}.");
        }

        _output.Advance(actual);
        _written += actual;
    }
}
