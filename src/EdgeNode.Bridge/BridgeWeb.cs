using System.Globalization;
using System.Net;
using System.Text;
using EdgeNode.Bridging;
using EdgeNode.Configuration;
using EdgeNode.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Bridge;

/// <summary><c>web.listen</c>: <c>/healthz</c> and <c>/metrics</c> (Prometheus text) on Kestrel.</summary>
internal sealed class BridgeWeb : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BridgeWeb(WebApplication app)
    {
        _app = app;
    }

    public static async Task<BridgeWeb> StartAsync(BridgeWebSection web, BridgeService bridge, KafkaRecordProducer producer,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(options =>
        {
            if (web.Host is "*" or "0.0.0.0" or "")
            {
                options.ListenAnyIP(web.Port);
            }
            else if (web.Host == "localhost")
            {
                options.ListenLocalhost(web.Port);
            }
            else
            {
                options.Listen(IPAddress.Parse(web.Host), web.Port);
            }
        });
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain"));
        app.MapGet("/metrics", () => Results.Text(Metrics(bridge, producer), "text/plain; version=0.0.4"));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new BridgeWeb(app);
    }

    internal static string Metrics(BridgeService bridge, KafkaRecordProducer producer)
    {
        var c = bridge.Counters;
        var sb = new StringBuilder();
        void Metric(string name, string type, string help, Action body)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            body();
        }

        void Line(string name, long value, string? labels = null) =>
            sb.Append(name).Append(labels is null ? "" : "{" + labels + "}").Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Metric("edgenode_bridge_kafka_up", "gauge", "1 while Kafka takes records", () => Line("edgenode_bridge_kafka_up", producer.IsAvailable ? 1 : 0));
        Metric("edgenode_bridge_mqtt_connected", "gauge", "1 while connected to the MQTT broker", () => Line("edgenode_bridge_mqtt_connected", bridge.MqttConnected ? 1 : 0));
        Metric("edgenode_bridge_records_produced_total", "counter", "records confirmed by Kafka, per topic", () =>
        {
            foreach (var (topic, count) in producer.ProducedByTopic.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Line("edgenode_bridge_records_produced_total", count, $"topic=\"{Escape(topic)}\"");
            }
        });
        Metric("edgenode_bridge_records_pending", "gauge", "records handed to Kafka and not yet confirmed", () => Line("edgenode_bridge_records_pending", producer.Pending));
        Metric("edgenode_bridge_records_failed_total", "counter", "records Kafka refused for good", () => Line("edgenode_bridge_records_failed_total", producer.Failed));
        Metric("edgenode_bridge_messages_total", "counter", "MQTT messages received", () => Line("edgenode_bridge_messages_total", c.Messages));
        Metric("edgenode_bridge_rebirth_requests_total", "counter", "NCMD Rebirth requests sent", () => Line("edgenode_bridge_rebirth_requests_total", c.RebirthRequests));
        Metric("edgenode_bridge_undecodable_total", "counter", "payloads that did not decode", () => Line("edgenode_bridge_undecodable_total", c.Undecodable));
        Metric("edgenode_bridge_not_sparkplug_total", "counter", "messages on non-Sparkplug topics", () => Line("edgenode_bridge_not_sparkplug_total", c.NotSparkplug));
        Metric("edgenode_bridge_bad_births_total", "counter", "BIRTHs that could not be used", () => Line("edgenode_bridge_bad_births_total", c.BadBirths));
        Metric("edgenode_bridge_unnamable_values_total", "counter", "metric values not produced because no BIRTH names them", () => Line("edgenode_bridge_unnamable_values_total", c.Unnamable));
        Metric("dotnet_gc_heap_bytes", "gauge", "bytes currently thought to be allocated on the managed heap", () => Line("dotnet_gc_heap_bytes", GC.GetTotalMemory(forceFullCollection: false)));
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
