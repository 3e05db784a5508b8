using System.Text;
using System.Text.Json;

namespace EdgeNode.Engine.Session;

/// <summary>A primary host application's STATE message, in the Sparkplug 3.0 or the legacy 2.2 form.</summary>
public readonly record struct HostStateMessage(bool Online, long? Timestamp)
{
    /// <summary>
    /// Sparkplug 3.0: UTF-8 JSON <c>{"online": bool, "timestamp": ms}</c> on <c>spBv1.0/STATE/&lt;id&gt;</c>
    /// (payloads-state-birth-payload). Anything else is not a STATE message and is reported, not thrown.
    /// </summary>
    public static bool TryParseV3(ReadOnlySpan<byte> payload, out HostStateMessage message, out string? error)
    {
        message = default;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "STATE payload is not a JSON object";
                return false;
            }

            if (!root.TryGetProperty("online", out var online) || online.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                error = "STATE payload has no boolean 'online'";
                return false;
            }

            long? timestamp = null;
            if (root.TryGetProperty("timestamp", out var ts))
            {
                if (ts.ValueKind != JsonValueKind.Number || !ts.TryGetInt64(out var value) || value < 0)
                {
                    error = "STATE payload 'timestamp' is not a non-negative integer";
                    return false;
                }

                timestamp = value;
            }

            message = new HostStateMessage(online.GetBoolean(), timestamp);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = $"STATE payload is not JSON: {ex.Message}";
            return false;
        }
    }

    /// <summary>Sparkplug 2.2 form: the plain UTF-8 text <c>ONLINE</c> or <c>OFFLINE</c> on <c>STATE/&lt;id&gt;</c>.</summary>
    public static bool TryParseV2(ReadOnlySpan<byte> payload, out HostStateMessage message, out string? error)
    {
        var text = Encoding.UTF8.GetString(payload).Trim();
        if (text.Equals("ONLINE", StringComparison.OrdinalIgnoreCase))
        {
            message = new HostStateMessage(true, null);
            error = null;
            return true;
        }

        if (text.Equals("OFFLINE", StringComparison.OrdinalIgnoreCase))
        {
            message = new HostStateMessage(false, null);
            error = null;
            return true;
        }

        message = default;
        error = $"legacy STATE payload is '{(text.Length > 40 ? text[..40] + "…" : text)}', not ONLINE/OFFLINE";
        return false;
    }
}
