using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace EdgeNode.Addressing;

/// <summary>
/// Validation of Sparkplug identifiers (group_id, edge_node_id, device_id, host_id): each is one MQTT topic level. The
/// configuration judges the ids of a file with it and the codec the ids of every topic it builds or parses, so an id
/// that validates is one the node can publish under.
/// </summary>
public static class SparkplugId
{
    /// <summary>Longest identifier accepted, in UTF-8 bytes (MQTT topics are at most 65,535 bytes in all).</summary>
    public const int MaxUtf8Length = 1024;

    /// <summary>
    /// Checks <paramref name="id"/>: non-empty, valid UTF-8 (no lone surrogates), none of the MQTT wildcards
    /// <c>+</c> <c>#</c> or the level separator <c>/</c> [tck-id-topic-structure-namespace-valid-group-id]
    /// [tck-id-topic-structure-namespace-valid-edge-node-id] [tck-id-topic-structure-namespace-valid-device-id],
    /// no U+0000 (forbidden in MQTT topics [MQTT-1.5.4-2]), at most <see cref="MaxUtf8Length"/> UTF-8 bytes.
    /// </summary>
    /// <param name="id">The identifier.</param>
    /// <param name="reason">Why it is invalid, e.g. <c>contains '/' at position 4 (the MQTT topic level separator)</c>.</param>
    public static bool IsValid([NotNullWhen(true)] string? id, [NotNullWhen(false)] out string? reason)
    {
        if (id is null)
        {
            reason = "is missing";
            return false;
        }

        if (id.Length == 0)
        {
            reason = "is empty";
            return false;
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            string? why = c switch
            {
                '/' => "the MQTT topic level separator",
                '+' => "the MQTT single-level wildcard",
                '#' => "the MQTT multi-level wildcard",
                '\0' => "forbidden in MQTT topics",
                _ => null,
            };

            if (why is not null)
            {
                reason = $"contains {(c == '\0' ? "U+0000" : $"'{c}'")} at position {i + 1} ({why})";
                return false;
            }

            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
                {
                    i++;
                    continue;
                }

                reason = $"contains an unpaired surrogate at position {i + 1} (not valid UTF-8)";
                return false;
            }
        }

        if (Encoding.UTF8.GetByteCount(id) > MaxUtf8Length)
        {
            reason = $"is longer than {MaxUtf8Length} UTF-8 bytes";
            return false;
        }

        reason = null;
        return true;
    }

    /// <summary>True when <paramref name="id"/> is a valid identifier (see <see cref="IsValid(string?, out string?)"/>).</summary>
    public static bool IsValid([NotNullWhen(true)] string? id) => IsValid(id, out _);

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="what"/> when <paramref name="id"/> is invalid.</summary>
    public static string Validate(string? id, string what = "Sparkplug id")
    {
        return IsValid(id, out var reason)
            ? id
            : throw new ArgumentException($"Invalid {what} '{id}': {reason}.", what);
    }
}
