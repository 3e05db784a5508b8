using System.Buffers;
using EdgeNode.Addressing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;

namespace EdgeNode.Sparkplug.Tests.PropertyBased;

/// <summary>Property-based round trips of the codec, and agreement with Google.Protobuf's parser of our schema.</summary>
public sealed class SparkplugCodecPropertyTests
{
    [Property(MaxTest = 300)]
    public Property EncodeDecode_AnyPayload_RoundTrips() =>
        Prop.ForAll(SparkplugGenerators.Payload().ToArbitrary(), Gen.Elements(SparkplugEncodingOptions.Default, SparkplugEncodingOptions.TahuCompatible).ToArbitrary(),
            (payload, options) =>
            {
                var bytes = payload.ToByteArray(options);
                return SparkplugPayload.TryDecode(bytes, out var decoded, out var error)
                    && SparkplugEquality.PayloadsEqual(payload, decoded)
                    && payload.CalculateSize(options) == bytes.Length
                    && error is null;
            });

    [Property(MaxTest = 300)]
    public Property Encode_AnyPayload_IdenticalToGoogleProtobufReserialization() =>
        Prop.ForAll(SparkplugGenerators.Payload().ToArbitrary(), payload =>
        {
            // Google.Protobuf parses our bytes with the proto2 schema and writes them back in canonical field order:
            // byte-identical output means our writer emits exactly what the schema says, presence included.
            var ours = payload.ToByteArray();
            var google = TestData.ParseWithGoogle(ours).ToByteArray();
            return ours.AsSpan().SequenceEqual(google);
        });

    [Property(MaxTest = 200)]
    public Property Decode_DataWithoutDataType_ReinterpretsToOriginal() =>
        Prop.ForAll(SparkplugGenerators.Payload(omitDataType: true).ToArbitrary(), payload =>
        {
            var decoded = TestData.Decode(payload.ToByteArray());
            return payload.Metrics.Zip(decoded.Metrics).All(pair =>
                pair.Second.OmitDataType
                && pair.Second.Value.TryReinterpret(pair.First.Value.DataType, out var value, out _)
                && value.Equals(pair.First.Value));
        });

    [Property(MaxTest = 300)]
    public Property Writer_MetricData_SameBytesAsObjectModel() =>
        Prop.ForAll(SparkplugGenerators.Metric(0, omitDataType: false).ToArbitrary(), metric =>
        {
            var viaStruct = new ArrayBufferWriter<byte>();
            var writer = new SparkplugPayloadWriter(viaStruct);
            writer.WriteMetric(metric.ToMetricData());
            var payload = new SparkplugPayload();
            payload.Metrics.Add(metric);
            return viaStruct.WrittenSpan.SequenceEqual(payload.ToByteArray())
                && SparkplugPayloadWriter.GetMetricSize(metric.ToMetricData()) == viaStruct.WrittenCount;
        });

    [Property(MaxTest = 500)]
    public Property Value_EqualityAndHash_ConsistentWithDecodedCopy() =>
        Prop.ForAll(SparkplugGenerators.MetricValue(0).ToArbitrary(), value =>
        {
            var decoded = TestData.Decode(TestData.EncodeMetric(new SparkplugMetric("v", value))).Metrics[0].Value;
            return value.Equals(decoded) && decoded.Equals(value) && value.GetHashCode() == decoded.GetHashCode() && value.ToString().Length > 0;
        });

    [Property(MaxTest = 500)]
    public Property TryConvertTo_IntegerThroughDouble_RoundTrips(int number) =>
        (SparkplugValue.FromInt32(number).TryConvertTo(SparkplugDataType.Double, out var asDouble)
         && asDouble.TryConvertTo(SparkplugDataType.Int32, out var back)
         && back.AsInt32() == number).ToProperty();

    [Property(MaxTest = 300)]
    public Property Topic_ValidIds_BuildParseRoundTrip(NonEmptyString group, NonEmptyString edge, NonEmptyString device) =>
        Prop.ForAll(Gen.Elements(SparkplugMessageType.DBIRTH, SparkplugMessageType.DDATA, SparkplugMessageType.DDEATH, SparkplugMessageType.DCMD).ToArbitrary(), type =>
        {
            if (!SparkplugId.IsValid(group.Get) || !SparkplugId.IsValid(edge.Get) || !SparkplugId.IsValid(device.Get))
            {
                return SparkplugTopic.TryParse($"spBv1.0/{group.Get}/{type}/{edge.Get}/{device.Get}", out var p)
                    ? SparkplugId.IsValid(p.GroupId) && SparkplugId.IsValid(p.EdgeNodeId) && SparkplugId.IsValid(p.DeviceId)
                    : true;
            }

            var topic = SparkplugTopic.Device(group.Get, type, edge.Get, device.Get);
            return SparkplugTopic.TryParse(topic.ToString(), out var parsed) && parsed == topic;
        });
}
