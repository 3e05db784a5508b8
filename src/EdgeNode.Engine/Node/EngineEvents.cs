using EdgeNode.Configuration;
using EdgeNode.Engine.Devices;
using EdgeNode.Mqtt;
using EdgeNode.Storage;

namespace EdgeNode.Engine;

/// <summary>Everything the event loop reacts to; only the loop touches session state.</summary>
internal abstract record EngineEvent;

internal sealed record ScanCompleted(DeviceRuntime Device, int Generation, DeviceReadResult Result, SparkplugSnapshot Snapshot) : EngineEvent;

internal sealed record DeviceValueEvent(DeviceRuntime Device, int Generation, DeviceEvent Value) : EngineEvent;

internal sealed record WriteCompleted(DeviceRuntime Device, int Generation, int MetricIndex, Sparkplug.SparkplugValue Value, DeviceWriteResult Result) : EngineEvent;

internal sealed record MqttConnected(MqttClient Client, int BdSeq, string Server) : EngineEvent;

internal sealed record MqttSubscribed(MqttClient Client) : EngineEvent;

internal sealed record MqttLost(MqttClient Client, string Reason) : EngineEvent;

/// <summary>A received MQTT message; <paramref name="Retained"/>: the broker's retained copy, sent for a new subscription.</summary>
internal sealed record MessageReceived(string Topic, ReadOnlyMemory<byte> Payload, bool Retained) : EngineEvent;

internal sealed record Tick : EngineEvent;

internal sealed record DeliveryProven(MqttClient Client, long Sequence) : EngineEvent;

internal sealed record ReplayProven(MqttClient Client, StoreBatch Batch) : EngineEvent;


/// <summary>A copy of one scan's values (the driver's buffers are reused by its loop).</summary>
internal sealed record SparkplugSnapshot(Sparkplug.SparkplugValue[] Values, bool[] Good, long TimestampMs);
