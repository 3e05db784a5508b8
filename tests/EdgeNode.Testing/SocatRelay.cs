namespace EdgeNode.Testing;

/// <summary>
/// A fault-injecting serial line: master ⇄ pty pair 1 ⇄ this relay ⇄ pty pair 2 ⇄ slave. Bytes pass unchanged
/// unless a fault is armed: corrupt the next response(s) (one bit of the CRC flipped), drop them, put line noise in
/// front of one, or echo every request back to the master like a 2-wire RS-485 adapter that hears itself. A response
/// is what one read from the slave side returns (pymodbus writes a frame at once, so a chunk is a frame).
/// </summary>
public sealed class SocatRelay : IAsyncDisposable
{
    private readonly SocatPtyPair _masterSide;
    private readonly SocatPtyPair _slaveSide;
    private readonly FileStream _masterEnd;
    private readonly FileStream _slaveEnd;
    private readonly Lock _masterWrite = new();
    private readonly Thread _requests;
    private readonly Thread _responses;
    private int _corrupt;
    private int _drop;
    private byte[]? _inject;
    private int _splitDelayMs;
    private volatile bool _stopping;

    private SocatRelay(SocatPtyPair masterSide, SocatPtyPair slaveSide)
    {
        _masterSide = masterSide;
        _slaveSide = slaveSide;
        _masterEnd = OpenPty(masterSide.PortB);
        _slaveEnd = OpenPty(slaveSide.PortA);
        _requests = new Thread(() => Pump(_masterEnd, _slaveEnd, isRequest: true)) { IsBackground = true, Name = "relay requests" };
        _responses = new Thread(() => Pump(_slaveEnd, _masterEnd, isRequest: false)) { IsBackground = true, Name = "relay responses" };
        _requests.Start();
        _responses.Start();
    }

    /// <summary>Give this device to the master.</summary>
    public string MasterPort => _masterSide.PortA;

    /// <summary>Give this device to the slave.</summary>
    public string SlavePort => _slaveSide.PortB;

    /// <summary>Send every request back to the master before forwarding it (the echo of a transceiver that receives while sending).</summary>
    public bool EchoRequests { get; set; }

    /// <summary>Requests forwarded to the slave.</summary>
    public int Requests;

    /// <summary>Responses forwarded to the master (corrupted ones included, dropped ones not).</summary>
    public int Responses;

    /// <summary>Responses corrupted so far.</summary>
    public int Corrupted;

    /// <summary>Starts both pty pairs and the relay threads.</summary>
    public static async Task<SocatRelay> StartAsync(CancellationToken cancellationToken = default)
    {
        var master = await SocatPtyPair.StartAsync("master", cancellationToken).ConfigureAwait(false);
        try
        {
            var slave = await SocatPtyPair.StartAsync("slave", cancellationToken).ConfigureAwait(false);
            return new SocatRelay(master, slave);
        }
        catch
        {
            await master.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Flips one bit of the last (CRC) byte of the next <paramref name="count"/> responses.</summary>
    public void CorruptNextResponses(int count) => Interlocked.Add(ref _corrupt, count);

    /// <summary>Swallows the next <paramref name="count"/> responses.</summary>
    public void DropNextResponses(int count) => Interlocked.Add(ref _drop, count);

    /// <summary>Writes <paramref name="noise"/> to the master just before the next response.</summary>
    public void InjectBeforeNextResponse(byte[] noise) => Volatile.Write(ref _inject, noise);

    /// <summary>
    /// Sends the next response in two halves with <paramref name="gapMs"/> of silence between them: a frame that
    /// stalls mid-way (a slave that pauses inside its frame, a cut-off transmission).
    /// </summary>
    public void SplitNextResponse(int gapMs) => Volatile.Write(ref _splitDelayMs, gapMs);

    private static FileStream OpenPty(string path) =>
        new(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);

    private void Pump(FileStream from, FileStream to, bool isRequest)
    {
        var buffer = new byte[1024];
        try
        {
            while (!_stopping)
            {
                var n = from.Read(buffer);
                if (n <= 0)
                {
                    Thread.Sleep(5); // no peer on the other side yet (socat raw gives VMIN 1; this is only a guard)
                    continue;
                }

                var chunk = buffer.AsSpan(0, n);
                if (isRequest)
                {
                    if (EchoRequests)
                    {
                        WriteToMaster(chunk);
                    }

                    to.Write(chunk);
                    Interlocked.Increment(ref Requests);
                    continue;
                }

                if (TryTake(ref _drop))
                {
                    continue;
                }

                if (Interlocked.Exchange(ref _inject, null) is { } noise)
                {
                    WriteToMaster(noise);
                }

                if (TryTake(ref _corrupt))
                {
                    chunk[^1] ^= 0x01;
                    Interlocked.Increment(ref Corrupted);
                }

                var split = Interlocked.Exchange(ref _splitDelayMs, 0);
                if (split > 0 && chunk.Length > 1)
                {
                    var half = chunk.Length / 2;
                    WriteToMaster(chunk[..half]);
                    Thread.Sleep(split);
                    WriteToMaster(chunk[half..]);
                }
                else
                {
                    WriteToMaster(chunk);
                }

                Interlocked.Increment(ref Responses);
            }
        }
        catch (IOException)
        {
            // a pty closed: the relay is being torn down
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void WriteToMaster(ReadOnlySpan<byte> bytes)
    {
        lock (_masterWrite)
        {
            _masterEnd.Write(bytes);
        }
    }

    private static bool TryTake(ref int counter)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await _masterSide.DisposeAsync().ConfigureAwait(false);
        await _slaveSide.DisposeAsync().ConfigureAwait(false);
        _requests.Join(TimeSpan.FromSeconds(5));
        _responses.Join(TimeSpan.FromSeconds(5));
        _masterEnd.Dispose();
        _slaveEnd.Dispose();
    }
}
