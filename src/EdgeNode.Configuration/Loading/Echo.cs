using System.Globalization;
using System.Text;

namespace EdgeNode.Configuration.Loading;

/// <summary>
/// How a value of the file appears in an error message: control characters escaped (a message goes to a terminal
/// or the journal, where an ESC would be obeyed) and long values cut, so an error about a value never reproduces a
/// file — a wrong <c>include:</c> or <c>--config</c> may name one that holds secrets.
/// </summary>
internal static class Echo
{
    /// <summary>Characters of a value shown in a message; the rest becomes "…".</summary>
    public const int MaxValueLength = 48;

    /// <summary>Longest message kept whole (a backstop for messages that name several values).</summary>
    public const int MaxMessageLength = 400;

    /// <summary><paramref name="value"/>, escaped and cut, without quotes.</summary>
    public static string Shorten(string value, int max = MaxValueLength)
    {
        var cut = value.Length > max;
        var shown = Escape(cut ? value[..max] : value);
        return cut ? shown + "…" : shown;
    }

    /// <summary><paramref name="value"/>, escaped and cut, in single quotes.</summary>
    public static string Quote(string value) => $"'{Shorten(value)}'";

    /// <summary>A whole message: control characters escaped, cut at <see cref="MaxMessageLength"/>.</summary>
    public static string Message(string message) => Shorten(message, MaxMessageLength);

    /// <summary>C0 controls, DEL and C1 controls as <c>\xNN</c>/<c>\uNNNN</c>; everything else as it is.</summary>
    public static string Escape(string value)
    {
        var i = 0;
        while (i < value.Length && !IsControl(value[i]))
        {
            i++;
        }

        if (i == value.Length)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 8).Append(value, 0, i);
        for (; i < value.Length; i++)
        {
            var c = value[i];
            _ = c switch
            {
                '\t' => sb.Append("\\t"),
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                _ when IsControl(c) => sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }

    private static bool IsControl(char c) => c < ' ' || c is >= '\u007f' and <= '\u009f';
}
