using System.Text;

namespace EdgeNode.Mqtt.Protocol;

/// <summary>Topic name and topic filter rules (3.1.1 §4.7, 5.0 §4.7), checked before anything is encoded.</summary>
internal static class MqttTopicValidator
{
    public const int MaxStringBytes = ushort.MaxValue;

    /// <summary>Returns null when <paramref name="topic"/> is a valid topic name, else why not.</summary>
    public static string? ValidateTopicName(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return "topic name is empty"; // [MQTT-4.7.3-1]
        }

        if (topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            return $"topic name '{topic}' contains a wildcard (+ or #)"; // [MQTT-3.3.2-2]
        }

        return ValidateString(topic, "topic name");
    }

    /// <summary>Returns null when <paramref name="filter"/> is a valid topic filter, else why not.</summary>
    public static string? ValidateTopicFilter(string? filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return "topic filter is empty"; // [MQTT-4.7.3-1]
        }

        var span = filter.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            var levelStart = i == 0 || span[i - 1] == '/';
            var levelEnd = i == span.Length - 1 || span[i + 1] == '/';
            if (c == '#' && (!levelStart || i != span.Length - 1))
            {
                return $"topic filter '{filter}': '#' must be the last character and occupy a whole level"; // [MQTT-4.7.1-2]
            }

            if (c == '+' && (!levelStart || !levelEnd))
            {
                return $"topic filter '{filter}': '+' must occupy a whole level"; // [MQTT-4.7.1-3]
            }
        }

        return ValidateString(filter, "topic filter");
    }

    /// <summary>Any MQTT UTF-8 string: at most 65,535 bytes, no U+0000, no lone surrogates ([MQTT-1.5.4-1/2]).</summary>
    public static string? ValidateString(string value, string what)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            return $"{what} contains U+0000";
        }

        int bytes;
        try
        {
            bytes = s_strictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException)
        {
            return $"{what} contains an unpaired surrogate";
        }

        return bytes > MaxStringBytes ? $"{what} is {bytes} bytes of UTF-8 (at most {MaxStringBytes})" : null;
    }

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
