using System.Buffers;

namespace EdgeNode.Mqtt.Client;

/// <summary>
/// Double buffer between the producers (who encode packets under the client's write lock) and the single writer loop
/// (which takes everything pending in one swap and writes it with one socket write, so bursts of small publishes
/// coalesce). Buffers come from <see cref="ArrayPool{T}"/>, grow for spikes and shrink back afterwards (MQTTnet's
/// Cleanup). Not thread-safe: every member except <see cref="PendingBytes"/> is used under the write lock.
/// </summary>
internal sealed class OutboundBuffer : IBufferWriter<byte>
{
    private const int InitialSize = 16 * 1024;
    private const int ShrinkAbove = 256 * 1024;

    private byte[] _pending = ArrayPool<byte>.Shared.Rent(InitialSize);
    private byte[] _spare = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _length;

    /// <summary>Bytes waiting for the writer (read without the lock as an estimate).</summary>
    public int PendingBytes => Volatile.Read(ref _length);

    /// <summary>Total bytes ever encoded (for "written up to here" waits).</summary>
    public long TotalEnqueued { get; private set; }

    public void Advance(int count)
    {
        _length += count;
        TotalEnqueued += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _pending.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _pending.AsSpan(_length);
    }

    /// <summary>
    /// Hands everything pending to the writer and starts a fresh pending buffer (the one the writer finished with).
    /// The returned memory stays valid until the next call.
    /// </summary>
    public ReadOnlyMemory<byte> TakePending()
    {
        if (_length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var full = _pending;
        var count = _length;
        _pending = _spare;
        _spare = full;
        _length = 0;
        if (_pending.Length > ShrinkAbove)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = ArrayPool<byte>.Shared.Rent(InitialSize);
        }

        return full.AsMemory(0, count);
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_pending.Length - _length >= sizeHint)
        {
            return;
        }

        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)_pending.Length * 2, (long)_length + sizeHint));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _pending.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_pending);
        _pending = bigger;
    }
}
