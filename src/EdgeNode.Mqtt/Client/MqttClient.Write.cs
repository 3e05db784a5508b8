using System.Diagnostics;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Mqtt;

public sealed partial class MqttClient
{
    /// <summary>
    /// The one writer: waits for the signal, takes everything encoded so far in one swap and writes it with one socket
    /// write, so bursts of small packets coalesce without per-packet system calls.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var channel = _channel!;
        var token = _lifetime.Token;
        try
        {
            while (true)
            {
                await _writeSignal.WaitAsync().ConfigureAwait(false);
                while (true)
                {
                    ReadOnlyMemory<byte> batch;
                    long flushTarget;
                    lock (_writeLock)
                    {
                        batch = _out.TakePending();
                        flushTarget = _flushTarget;
                    }

                    if (batch.IsEmpty)
                    {
                        break;
                    }

                    if (_logger.IsEnabled(LogLevel.Trace))
                    {
                        Log.Tx(_logger, _endpoint, batch.Length, Hex(batch.Span));
                    }

                    await channel.WriteAsync(batch, token).ConfigureAwait(false);
                    var written = Interlocked.Add(ref _bytesWritten, batch.Length);
                    Volatile.Write(ref _lastSent, Stopwatch.GetTimestamp());
                    _spaceSignal.Set();
                    if (written >= flushTarget)
                    {
                        _flushed.TrySetResult();
                    }
                }

                if (_writeSignal.IsClosed)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Break cancelled the write
        }
        catch (MqttCommunicationException ex)
        {
            Break(new MqttDisconnectInfo(MqttDisconnectKind.ConnectionError, ex.Message, ex));
        }
#pragma warning disable CA1031 // the loop must end in Break, never as an unobserved exception
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.LoopFault(_logger, _endpoint, "writer", ex);
            Break(new MqttDisconnectInfo(MqttDisconnectKind.ConnectionError, $"writer failed: {ex.Message}", ex));
        }
    }

    /// <summary>Queues PUBACK/PUBREC/PUBREL/PUBCOMP (control packets never wait for window or buffer space).</summary>
    private long EnqueueAck(MqttPacketType type, ushort packetId, byte reasonCode = 0)
    {
        long sequence;
        lock (_writeLock)
        {
            if (_state is not (StateConnected or StateDisconnecting))
            {
                return 0;
            }

            sequence = ++_sequence;
            MqttPacketEncoder.EncodeAck(_out, _version, type, packetId, _version == MqttProtocolVersion.V500 ? reasonCode : (byte)0);
        }

        _writeSignal.Set();
        return sequence;
    }

    /// <summary>Takes a free packet identifier (1–65535, round robin, skipping those in use). Under the write lock.</summary>
    private ushort AllocatePacketId(object owner)
    {
        for (var i = 0; i < ushort.MaxValue; i++)
        {
            var id = _nextPacketId;
            _nextPacketId = id == ushort.MaxValue ? (ushort)1 : (ushort)(id + 1);
            if (_pendingById.TryAdd(id, owner))
            {
                return id;
            }
        }

        throw new InvalidOperationException("all 65535 MQTT packet identifiers are in use");
    }

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= 64 ? Convert.ToHexString(bytes) : Convert.ToHexString(bytes[..64]) + $"… (+{bytes.Length - 64})";
}
