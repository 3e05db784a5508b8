using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Testing;

/// <summary>Damage the relay can do to an answer.</summary>
public enum Rs485Fault
{
    /// <summary>One random bit inverted (the CRC no longer matches).</summary>
    Flip,

    /// <summary>One random byte removed.</summary>
    Drop,

    /// <summary>One random byte inserted.</summary>
    Extra,

    /// <summary>Another unit id and changed data, with a valid CRC: only the unit-id check catches it.</summary>
    WrongUnit,
}

/// <summary>What the relay did to one unit's answers so far.</summary>
public sealed record Rs485FaultStats(int Frames, int Damaged, int Flip, int Drop, int Extra, int WrongUnit, int Late, int Quiet);

/// <summary>
/// An RS-485 line with faults on demand (issue 15): two pseudo-terminal pairs with <c>peers/rs485_fault_relay.py</c>
/// between them. The master (the node) opens <see cref="NodePort"/>, the pymodbus RTU server <see cref="SlavePort"/>;
/// requests pass untouched, answers are damaged per unit: flipped bits, dropped and extra bytes, a frame from the wrong
/// unit id, an answer after the timeout, a quiet line. Random choices use a fixed seed (see <see cref="SeedAsync"/>).
/// </summary>
public sealed class Rs485FaultRelay : IAsyncDisposable
{
    private readonly string _directory;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private TcpClient? _control;
    private StreamReader? _reader;
    private StreamWriter? _writer;

    private Rs485FaultRelay(ExternalProcess process, string directory)
    {
        Process = process;
        _directory = directory;
        NodePort = Path.Combine(directory, "node");
        SlavePort = Path.Combine(directory, "slave");
    }

    /// <summary>The master's end of the line.</summary>
    public string NodePort { get; }

    /// <summary>The slaves' end of the line.</summary>
    public string SlavePort { get; }

    /// <summary>The relay process.</summary>
    public ExternalProcess Process { get; }

    /// <summary>Starts the relay and connects to its control channel.</summary>
    public static async Task<Rs485FaultRelay> StartAsync(CancellationToken cancellationToken = default)
    {
        var python = Peers.RequirePymodbus();
        var directory = Directory.CreateTempSubdirectory("edgenode-rs485-").FullName;
        var process = ExternalProcess.Start(python, [PyModbusSlave.PeerScript("rs485_fault_relay.py"), "--dir", directory]);
        var relay = new Rs485FaultRelay(process, directory);
        try
        {
            var control = await process.WaitForLineAsync("CONTROL ", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await process.WaitForLineAsync("READY ", TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, int.Parse(control.Split(' ')[1], CultureInfo.InvariantCulture), cancellationToken)
                .ConfigureAwait(false);
            relay._control = client;
            relay._reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            relay._writer = new StreamWriter(client.GetStream(), Encoding.ASCII) { AutoFlush = true, NewLine = "\n" };
            await relay.CommandAsync("ping").ConfigureAwait(false);
            return relay;
        }
        catch
        {
            await relay.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Damages <paramref name="percent"/> % of <paramref name="unit"/>'s answers with one of <paramref name="kinds"/> (all when empty).</summary>
    public Task NoiseAsync(byte unit, double percent, params Rs485Fault[] kinds) =>
        CommandAsync(string.Create(CultureInfo.InvariantCulture,
            $"noise {unit} {percent} {string.Join(' ', kinds.Select(k => k.ToString().ToLowerInvariant()))}"));

    /// <summary>Holds back every answer of <paramref name="unit"/> for <paramref name="delayMs"/> (0: off).</summary>
    public Task LateAsync(byte unit, int delayMs) => CommandAsync(string.Create(CultureInfo.InvariantCulture, $"late {unit} {delayMs}"));

    /// <summary>Swallows (or lets through again) every answer of <paramref name="unit"/>.</summary>
    public Task QuietAsync(byte unit, bool quiet) => CommandAsync($"quiet {unit} {(quiet ? 1 : 0)}");

    /// <summary>Removes every fault.</summary>
    public Task ClearAsync() => CommandAsync("clear");

    /// <summary>Reseeds the relay's random choices.</summary>
    public Task SeedAsync(int seed) => CommandAsync(string.Create(CultureInfo.InvariantCulture, $"seed {seed}"));

    /// <summary>What the relay did to <paramref name="unit"/>'s answers so far.</summary>
    public async Task<Rs485FaultStats> StatsAsync(byte unit)
    {
        var fields = (await CommandAsync($"stats {unit}").ConfigureAwait(false))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('='))
            .ToDictionary(f => f[0], f => int.Parse(f[1], CultureInfo.InvariantCulture));
        return new Rs485FaultStats(fields["frames"], fields["damaged"], fields["flip"], fields["drop"], fields["extra"], fields["wrongunit"],
            fields["late"], fields["quiet"]);
    }

    /// <summary>Sends one control command and returns what follows "ok" (throws on "error …").</summary>
    public async Task<string> CommandAsync(string line)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_writer is null || _reader is null)
            {
                throw new InvalidOperationException("the relay is stopped");
            }

            await _writer.WriteLineAsync(line).ConfigureAwait(false);
            var reply = await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the relay closed its control channel:\n{Process.Output}");
            if (!reply.StartsWith("ok", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"relay refused '{line}': {reply}");
            }

            return reply.Length > 2 ? reply[3..] : "";
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _control?.Dispose();
        _control = null;
        _writer = null;
        _reader = null;
        await Process.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }
    }
}
