using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeNode.Sparkplug;
using EdgeNode.Testing;

namespace EdgeNode.Benchmarks.Codec;

/// <summary>
/// Sparkplug B codec: encode and decode of a 100-metric DDATA and a 500-metric NBIRTH with properties, ours against
/// Eclipse Tahu's JavaScript codec measured in the same run (<c>tests/interop/sparkplug-bench.js</c>). A Stopwatch
/// harness with warm-up; allocations from <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
public sealed class CodecBenchSuite : IBenchSuite
{
    // Each cell: warm-up, then the best of Rounds measurements of Seconds each, on both sides (Tahu's node run happens
    // before and after ours, best taken), so a burst of load from elsewhere on a shared machine does not pick the winner.
    private const double Seconds = 1.0;
    private const int Rounds = 3;
    private const ulong Timestamp = 1_700_000_000_000;

    public string Name => "codec";

    public Task RunAsync(BenchOutput output, CancellationToken cancellationToken)
    {
        var cases = new[] { DData(100), NBirth(500) };

        // Tahu: one node run times both payloads (encode from its object model, decode of its own bytes); it runs
        // once before and once after ours and the better figure of the two counts.
        var request = new JsonObject
        {
            ["seconds"] = Seconds,
            ["cases"] = new JsonArray([.. cases.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["payload"] = c.TahuJson })]),
        }.ToJsonString();
        var tahuBefore = RunTahu(request);

        var rows = new List<IReadOnlyList<string>>();
        var allocationRows = new List<IReadOnlyList<string>>();
        var ours = new List<(Result Encode, Result DecodeTahu, Result DecodeOurs, byte[] OurBytes, byte[] TahuBytes)>();
        for (var i = 0; i < cases.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var c = cases[i];
            var t = tahuBefore[i]!;
            var tahuBytes = Convert.FromBase64String(t["base64"]!.GetValue<string>());
            var buffer = new ArrayBufferWriter<byte>(256 * 1024);

            var encode = Measure(() =>
            {
                buffer.ResetWrittenCount();
                var writer = new SparkplugPayloadWriter(buffer);
                writer.WriteTimestamp(Timestamp);
                foreach (ref readonly var metric in c.Metrics.AsSpan())
                {
                    writer.WriteMetric(metric);
                }

                writer.WriteSeq(c.Seq);
                return (int)writer.BytesWritten;
            });
            var ourBytes = buffer.WrittenSpan.ToArray();

            // Decoding the same bytes Tahu decodes (Tahu's own encoding) and our own encoding.
            var decodeTahuBytes = Measure(() => SparkplugPayload.TryDecode(tahuBytes, out var p, out _) ? p.Metrics.Count : -1);
            var decodeOurBytes = Measure(() => SparkplugPayload.TryDecode(ourBytes, out var p, out _) ? p.Metrics.Count : -1);

            ours.Add((encode, decodeTahuBytes, decodeOurBytes, ourBytes, tahuBytes));
        }

        var tahuAfter = RunTahu(request);
        for (var i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            var (encode, decodeTahuBytes, decodeOurBytes, ourBytes, tahuBytes) = ours[i];
            var tahuEncode = Math.Max(tahuBefore[i]!["encodeOpsPerSec"]!.GetValue<double>(), tahuAfter[i]!["encodeOpsPerSec"]!.GetValue<double>());
            var tahuDecode = Math.Max(tahuBefore[i]!["decodeOpsPerSec"]!.GetValue<double>(), tahuAfter[i]!["decodeOpsPerSec"]!.GetValue<double>());
            rows.Add([c.Name, "encode", Bytes(ourBytes.Length, tahuBytes.Length), Ops(encode.OpsPerSecond), Ops(tahuEncode), BenchOutput.Ratio(encode.OpsPerSecond, tahuEncode), Micro(encode.OpsPerSecond)]);
            rows.Add([c.Name, "decode (Tahu's bytes)", Bytes(tahuBytes.Length, tahuBytes.Length), Ops(decodeTahuBytes.OpsPerSecond), Ops(tahuDecode), BenchOutput.Ratio(decodeTahuBytes.OpsPerSecond, tahuDecode), Micro(decodeTahuBytes.OpsPerSecond)]);
            rows.Add([c.Name, "decode (our bytes)", Bytes(ourBytes.Length, tahuBytes.Length), Ops(decodeOurBytes.OpsPerSecond), Ops(tahuDecode), BenchOutput.Ratio(decodeOurBytes.OpsPerSecond, tahuDecode), Micro(decodeOurBytes.OpsPerSecond)]);
            allocationRows.Add([c.Name, c.Metrics.Length.ToString(CultureInfo.InvariantCulture),
                BenchOutput.Number(encode.BytesPerOp, "N1"), BenchOutput.Number(encode.BytesPerOp / c.Metrics.Length, "N2"),
                BenchOutput.Number(decodeOurBytes.BytesPerOp, "N0"), BenchOutput.Number(decodeOurBytes.BytesPerOp / c.Metrics.Length, "N0")]);
        }

        output.Heading("Sparkplug B codec: ours vs Eclipse Tahu JS (sparkplug-payload 1.0.3), same run");
        output.Line($"Stopwatch harness: best of {Rounds} × {Seconds} s after warm-up per cell (Tahu: best of a node run before and one after); node {NodeVersion()}; .NET {Environment.Version}; {Environment.ProcessorCount} cores.");
        output.Line("DDATA: alias-only metrics (ours omit the datatype as Sparkplug recommends; Tahu always writes it). NBIRTH: name, alias, timestamp, datatype, value, 4 properties each.");
        output.Line("");
        output.Table(["payload", "operation", "bytes (ours/Tahu)", "ours ops/s", "Tahu ops/s", "ours ÷ Tahu", "ours µs/op"], rows);
        output.Line("");
        output.Table(["payload", "metrics", "encode B/op (output buffer reused)", "encode B/metric", "decode B/op (object model)", "decode B/metric"], allocationRows);
        return Task.CompletedTask;
    }

    private static string Ops(double opsPerSecond) => BenchOutput.Number(opsPerSecond, "N0");

    private static string Micro(double opsPerSecond) => BenchOutput.Number(1e6 / opsPerSecond, "N1");

    private static string Bytes(int ours, int tahu) => $"{ours.ToString(CultureInfo.InvariantCulture)}/{tahu.ToString(CultureInfo.InvariantCulture)}";

    private static string NodeVersion()
    {
        try
        {
            return Peers.Run(NodeJs.Executable, ["--version"], TimeSpan.FromSeconds(30)).Trim();
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private readonly record struct Result(double OpsPerSecond, double BytesPerOp);

    private static Result Measure(Func<int> operation)
    {
        var sink = 0;
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < Seconds * 0.25)
        {
            sink += operation();
        }

        var best = new Result(0, double.MaxValue);
        for (var round = 0; round < Rounds; round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var iterations = 0L;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < Seconds)
            {
                for (var i = 0; i < 16; i++)
                {
                    sink += operation();
                }

                iterations += 16;
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            best = new Result(Math.Max(best.OpsPerSecond, iterations / elapsed), Math.Min(best.BytesPerOp, (double)allocated / iterations));
        }

        GC.KeepAlive(sink);
        return best;
    }

    private static JsonArray RunTahu(string request) =>
        JsonNode.Parse(NodeJs.Run("sparkplug-bench.js", stdin: request, timeout: TimeSpan.FromMinutes(2)))!.AsArray();

    private sealed record BenchCase(string Name, SparkplugMetricData[] Metrics, ulong Seq, JsonObject TahuJson);

    /// <summary>A realistic DDATA: changed values by alias, a mix of Double, Float, Int32, Boolean, Int64 and short strings.</summary>
    private static BenchCase DData(int count)
    {
        var metrics = new SparkplugMetricData[count];
        var tahu = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var value = ValueFor(i);
            var timestamp = Timestamp + (ulong)i;
            metrics[i] = SparkplugMetricData.Data((ulong)(i + 2), timestamp, value);
            tahu.Add(new JsonObject
            {
                ["alias"] = (i + 2).ToString(CultureInfo.InvariantCulture),
                ["timestamp"] = timestamp.ToString(CultureInfo.InvariantCulture),
                ["type"] = SparkplugDataTypes.GetName(value.DataType),
                ["value"] = JsonValue(value),
            });
        }

        return new($"DDATA {count}", metrics, 17, new JsonObject { ["timestamp"] = Timestamp.ToString(CultureInfo.InvariantCulture), ["metrics"] = tahu, ["seq"] = "17" });
    }

    /// <summary>A 500-metric NBIRTH: every metric with name, alias, timestamp, datatype, value and four properties.</summary>
    private static BenchCase NBirth(int count)
    {
        var metrics = new SparkplugMetricData[count];
        var tahu = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var value = ValueFor(i);
            var name = $"Turbine{i / 50}/Sensors/Metric{i:D3}";
            var unit = (i % 4) switch { 0 => "kW", 1 => "RPM", 2 => "°C", _ => "bar" };
            var description = $"Measured value {i} of turbine {i / 50}";
            var properties = new SparkplugPropertySet(4)
            {
                { SparkplugNames.EngUnit, SparkplugValue.FromString(unit) },
                { SparkplugNames.EngLow, SparkplugValue.FromDouble(0) },
                { SparkplugNames.EngHigh, SparkplugValue.FromDouble(1000 + i) },
                { SparkplugNames.Description, SparkplugValue.FromString(description) },
            };
            metrics[i] = SparkplugMetricData.Birth(name, (ulong)(i + 2), Timestamp, value, properties);
            tahu.Add(new JsonObject
            {
                ["name"] = name,
                ["alias"] = (i + 2).ToString(CultureInfo.InvariantCulture),
                ["timestamp"] = Timestamp.ToString(CultureInfo.InvariantCulture),
                ["type"] = SparkplugDataTypes.GetName(value.DataType),
                ["value"] = JsonValue(value),
                ["properties"] = new JsonObject
                {
                    [SparkplugNames.EngUnit] = new JsonObject { ["type"] = "String", ["value"] = unit },
                    [SparkplugNames.EngLow] = new JsonObject { ["type"] = "Double", ["value"] = 0.0 },
                    [SparkplugNames.EngHigh] = new JsonObject { ["type"] = "Double", ["value"] = 1000.0 + i },
                    [SparkplugNames.Description] = new JsonObject { ["type"] = "String", ["value"] = description },
                },
            });
        }

        return new($"NBIRTH {count}", metrics, 0, new JsonObject { ["timestamp"] = Timestamp.ToString(CultureInfo.InvariantCulture), ["metrics"] = tahu, ["seq"] = "0" });
    }

    private static SparkplugValue ValueFor(int i) => (i % 6) switch
    {
        0 => SparkplugValue.FromDouble(1234.5678 + i),
        1 => SparkplugValue.FromFloat(12.5f + i),
        2 => SparkplugValue.FromInt32(-1000 * i),
        3 => SparkplugValue.FromBoolean(i % 4 == 3),
        4 => SparkplugValue.FromInt64(1_000_000_000_000L + i),
        _ => SparkplugValue.FromString($"state-{i % 7}"),
    };

    private static JsonNode JsonValue(SparkplugValue v) => v.DataType switch
    {
        SparkplugDataType.Double => v.AsDouble(),
        SparkplugDataType.Float => (double)v.AsFloat(),
        SparkplugDataType.Int32 => v.AsInt32(),
        SparkplugDataType.Boolean => v.AsBoolean(),
        SparkplugDataType.Int64 => v.AsInt64().ToString(CultureInfo.InvariantCulture),
        _ => v.AsString(),
    };
}
