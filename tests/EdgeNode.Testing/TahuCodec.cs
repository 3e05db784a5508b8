using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeNode.Testing;

/// <summary>
/// Eclipse Tahu's JavaScript Sparkplug B codec (npm <c>sparkplug-payload</c> 1.0.3 in tests/interop), driven through
/// node by <c>tests/interop/sparkplug-codec.js</c>: the reference codec end-to-end tests use to read the node's MQTT
/// traffic, and interop tests use to produce payloads. Node starts in about 100 ms, so pass many payloads per call.
/// </summary>
/// <remarks>
/// <para><b>Two views of a payload.</b> <see cref="TahuView.Model"/> is Tahu's own object model
/// (<c>decodePayload</c>): <c>{"timestamp":"1700000000000","seq":"0","metrics":[{"name":"Rotor/Speed","alias":"3",
/// "timestamp":"1700000000000","type":"Float","value":12.5,"properties":{"engUnit":{"type":"String","value":"RPM"}}}]}</c>.
/// Metric <c>type</c> is the datatype name ("Int32", "DataSet"…; absent when the metric carried no datatype) and
/// <c>value</c> is decoded by it: DataSet → <c>{"numOfColumns":"2","columns":[…],"types":["Int32","String"],"rows":[[1,"a"]]}</c>;
/// Template → <c>{"version":"1","templateRef":"Motor","isDefinition":false,"metrics":[…],"parameters":[{"name":"p","type":"String","value":"x"}]}</c>;
/// PropertySet → <c>{"key":{"type":"…","value":…}}</c>; PropertySetList → an array of those; a null value (is_null) → <c>null</c>.
/// <see cref="TahuView.Proto"/> is the raw protobuf message as Tahu's generated protobufjs code decodes it
/// (<c>Payload.toObject</c>, camelCase field names): <c>{"metrics":[{"name":"a","datatype":7,"intValue":4294967295}]}</c> —
/// use it to see which wire field carried a value, whether <c>seq</c> is present, or the <c>bytesValue</c> of array
/// types, which Tahu's model does not support.</para>
/// <para><b>JSON conventions</b> (both directions): 64-bit integers (Tahu uses long.js <c>Long</c>) are decimal strings,
/// signed for Int64 and unsigned otherwise (<c>"timestamp":"1700000000000"</c>, Int64 <c>"-5"</c>, UInt64
/// <c>"18446744073709551615"</c>); Int8…UInt32 values are JSON numbers; bytes are base64 strings; NaN, ±infinity and
/// negative zero are the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>, <c>"-0"</c>; absent fields are absent.</para>
/// <para><b>Tahu quirks</b> (1.0.3): array datatypes (22-34) are not supported by the model (value <c>null</c>, no
/// <c>type</c>); a UInt32 sent in <c>int_value</c> (as the specification says) decodes as <c>null</c> because Tahu
/// reads only <c>long_value</c>; DataSet cells and Template parameters of types other than Int64, UInt32, Float, Double,
/// Boolean and String make the model decoder throw ("Invalid DataSetValue"/"Invalid Parameter value").</para>
/// </remarks>
public static class TahuCodec
{
    private const string Script = "sparkplug-codec.js";

    /// <summary>Decodes one payload with Tahu; throws <see cref="InvalidOperationException"/> when Tahu rejects it.</summary>
    public static string DecodeToJson(byte[] payload, TahuView view = TahuView.Model) => DecodeBatch([payload], view)[0].Unwrap();

    /// <summary>Decodes one payload with Tahu into a <see cref="JsonNode"/>.</summary>
    public static JsonNode Decode(byte[] payload, TahuView view = TahuView.Model) => JsonNode.Parse(DecodeToJson(payload, view))!;

    /// <summary>Decodes many payloads in one node run; each result carries the JSON or Tahu's error.</summary>
    public static IReadOnlyList<TahuResult> DecodeBatch(IEnumerable<byte[]> payloads, TahuView view = TahuView.Model)
    {
        var items = new JsonArray(payloads.Select(p => (JsonNode)JsonValue.Create(Convert.ToBase64String(p))).ToArray());
        return Run(view == TahuView.Model ? "decode" : "decodeProto", items);
    }

    /// <summary>Encodes one payload given in Tahu's model JSON (see the remarks) with Tahu's <c>encodePayload</c>.</summary>
    public static byte[] Encode(string tahuJson, TahuView view = TahuView.Model) =>
        Convert.FromBase64String(EncodeBatch([tahuJson], view)[0].Unwrap());

    /// <summary>Encodes many payloads in one node run; each result's <see cref="TahuResult.Json"/> is the base64 of the bytes.</summary>
    public static IReadOnlyList<TahuResult> EncodeBatch(IEnumerable<string> jsonPayloads, TahuView view = TahuView.Model)
    {
        var items = new JsonArray(jsonPayloads.Select(j => JsonNode.Parse(j)).ToArray());
        return Run(view == TahuView.Model ? "encode" : "encodeProto", items);
    }

    private static IReadOnlyList<TahuResult> Run(string op, JsonArray items)
    {
        var request = new JsonObject { ["op"] = op, ["items"] = items }.ToJsonString();
        var output = NodeJs.Run(Script, stdin: request, timeout: TimeSpan.FromMinutes(3));
        var results = JsonNode.Parse(output)!.AsArray();
        return results.Select(r => r!["ok"]!.GetValue<bool>()
                ? new TahuResult(true, r["value"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : r["value"]!.ToJsonString(), null)
                : new TahuResult(false, null, r["error"]!.GetValue<string>()))
            .ToList();
    }
}

/// <summary>Which of Tahu's layers decodes or encodes.</summary>
public enum TahuView
{
    /// <summary>Tahu's object model (<c>encodePayload</c>/<c>decodePayload</c>): what Tahu-based applications see.</summary>
    Model,

    /// <summary>Tahu's generated protobuf classes (<c>Payload.encode/decode</c>): the raw wire fields.</summary>
    Proto,
}

/// <summary>One result of a batch: <see cref="Json"/> (decode) or base64 bytes (encode), or Tahu's <see cref="Error"/>.</summary>
public sealed record TahuResult(bool Ok, string? Json, string? Error)
{
    /// <summary>The JSON/base64, or an <see cref="InvalidOperationException"/> with Tahu's error.</summary>
    public string Unwrap() => Ok ? Json! : throw new InvalidOperationException($"Tahu rejected the payload: {Error}");

    /// <summary>The decoded JSON as a node.</summary>
    public JsonNode Node => JsonNode.Parse(Unwrap())!;
}
