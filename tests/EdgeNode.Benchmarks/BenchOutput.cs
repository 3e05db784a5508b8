using System.Globalization;
using System.Text;

namespace EdgeNode.Benchmarks;

/// <summary>Prints result tables in Markdown so they can be pasted into notes and README as they are.</summary>
public sealed class BenchOutput(TextWriter writer)
{
    public void Heading(string text)
    {
        writer.WriteLine();
        writer.WriteLine($"## {text}");
        writer.WriteLine();
    }

    public void Line(string text) => writer.WriteLine(text);

    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, headers.Count).Select(i => all.Max(r => i < r.Count ? r[i].Length : 0)).ToArray();
        foreach (var (row, index) in all.Select((r, i) => (r, i)))
        {
            var sb = new StringBuilder("|");
            for (var i = 0; i < headers.Count; i++)
            {
                sb.Append(' ').Append((i < row.Count ? row[i] : "").PadRight(widths[i])).Append(" |");
            }

            writer.WriteLine(sb.ToString());
            if (index == 0)
            {
                writer.WriteLine("|" + string.Concat(widths.Select(w => new string('-', w + 2) + "|")));
            }
        }

        writer.Flush();
    }

    public static string Number(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Ratio(double ours, double peer) =>
        peer <= 0 ? "n/a" : (ours / peer).ToString("0.00", CultureInfo.InvariantCulture) + "×";
}
