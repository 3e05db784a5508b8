using System.Buffers;
using System.Text.Json;
using EdgeNode.Sparkplug;

namespace EdgeNode.Bridging;

/// <summary>Writes values in the contract's JSON forms.</summary>
internal static class RecordJson
{
    // The contract's record form: DateTime as epoch milliseconds, Bytes/File as base64, no JSON form as null.
    private static readonly SparkplugJsonStyle Style = default;

    /// <summary>
    /// Integers as exact integer text (64-bit included), Float/Double as the shortest round-trip number (NaN and
    /// infinities, which JSON numbers cannot carry, as the strings "NaN", "Infinity", "-Infinity"), Boolean, text as
    /// strings, DateTime as epoch milliseconds, Bytes/File as base64, arrays as JSON arrays, DataSet as
    /// {columns, types, rows}, PropertySet as an object, null as null.
    /// </summary>
    public static void WriteValue(Utf8JsonWriter w, in SparkplugValue v) => SparkplugValueJson.WriteValue(w, v, Style);

    public static void WriteProperties(Utf8JsonWriter w, SparkplugPropertySet set) => SparkplugValueJson.WriteProperties(w, set, Style);

    /// <summary>A reusable buffer + writer pair: one record at a time, copied out as an owned array.</summary>
    internal sealed class Scratch
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(512);

        public Scratch()
        {
            Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        }

        public Utf8JsonWriter Writer { get; }

        public void Reset()
        {
            _buffer.ResetWrittenCount();
            Writer.Reset(_buffer);
        }

        public byte[] ToArray()
        {
            Writer.Flush();
            return _buffer.WrittenSpan.ToArray();
        }
    }
}
