using System.Diagnostics.CodeAnalysis;
using System.Text;
using EdgeNode.Mqtt.Protocol;

namespace EdgeNode.Mqtt;

/// <summary>
/// A validated topic name with its UTF-8 bytes computed once. Sparkplug reuses a handful of topics for every message;
/// keep one <see cref="MqttTopic"/> per topic and publish with it to skip validation and encoding on the hot path.
/// (Publishing with a <see cref="string"/> goes through a small per-client cache of recent topics.)
/// </summary>
public sealed class MqttTopic
{
    private MqttTopic(string name, byte[] utf8)
    {
        Name = name;
        Bytes = utf8;
    }

    /// <summary>The topic name.</summary>
    public string Name { get; }

    /// <summary>The UTF-8 encoding as it goes on the wire.</summary>
    public ReadOnlyMemory<byte> Utf8 => Bytes;

    internal byte[] Bytes { get; }

    /// <summary>Validates and encodes a topic name; throws <see cref="ArgumentException"/> when it is not valid.</summary>
    public static MqttTopic Create(string name) =>
        TryCreate(name, out var topic, out var error) ? topic : throw new ArgumentException(error, nameof(name));

    /// <summary>Validates and encodes a topic name (no wildcards, not empty, at most 65,535 bytes, no U+0000).</summary>
    public static bool TryCreate(string? name, [NotNullWhen(true)] out MqttTopic? topic, [NotNullWhen(false)] out string? error)
    {
        error = MqttTopicValidator.ValidateTopicName(name);
        if (error is not null)
        {
            topic = null;
            return false;
        }

        topic = new MqttTopic(name!, Encoding.UTF8.GetBytes(name!));
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
