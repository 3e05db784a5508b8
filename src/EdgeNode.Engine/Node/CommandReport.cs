using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine;

/// <summary>
/// What became of one NCMD/DCMD, logged once per message: a command with one or a few outcomes logs them line by line
/// (each refusal names the metric and the value); a larger one logs one summary with counts by reason and the first
/// few details, so 100,000 unknown metrics are one Warning, not 100,000 lines.
/// </summary>
internal sealed class CommandReport(string topic, int metrics)
{
    /// <summary>Outcomes logged line by line; more are summarised.</summary>
    internal const int Detailed = 5;

    private readonly Dictionary<string, int> _refusedByReason = new(StringComparer.Ordinal);
    private readonly List<string> _refusals = [];
    private readonly List<string> _accepted = [];
    private int _refused, _acceptedCount;

    public int Refused => _refused;

    public int AcceptedCount => _acceptedCount;

    /// <summary>Records a refused metric: <paramref name="reason"/> groups the summary, the detail names metric and value.</summary>
    public void Refuse(string reason, string metric, string detail)
    {
        _refused++;
        _refusedByReason[reason] = _refusedByReason.GetValueOrDefault(reason) + 1;
        if (_refusals.Count < Detailed)
        {
            _refusals.Add($"{metric}: {detail}");
        }
    }

    public void Accept(string metric, string value)
    {
        _acceptedCount++;
        if (_accepted.Count < Detailed)
        {
            _accepted.Add($"{metric} = {value}");
        }
    }

    /// <summary>Logs what was recorded since the last flush.</summary>
    public void Flush(ILogger logger)
    {
        if (_acceptedCount <= Detailed)
        {
            foreach (var accepted in _accepted)
            {
                var split = accepted.IndexOf(" = ", StringComparison.Ordinal);
                Log.CommandAccepted(logger, topic, accepted[..split], accepted[(split + 3)..]);
            }
        }
        else
        {
            Log.CommandsAccepted(logger, topic, _acceptedCount, metrics, string.Join("; ", _accepted));
        }

        if (_refused <= Detailed)
        {
            foreach (var refusal in _refusals)
            {
                Log.CommandRejected(logger, topic, refusal);
            }
        }
        else if (_refused > 0)
        {
            var reasons = new StringBuilder();
            foreach (var (reason, count) in _refusedByReason.OrderByDescending(r => r.Value))
            {
                reasons.Append(reasons.Length == 0 ? "" : ", ").Append(count.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(reason);
            }

            Log.CommandsRejected(logger, topic, _refused, metrics, reasons.ToString(), string.Join("; ", _refusals));
        }

        _refusedByReason.Clear();
        _refusals.Clear();
        _accepted.Clear();
        _refused = _acceptedCount = 0;
    }
}
