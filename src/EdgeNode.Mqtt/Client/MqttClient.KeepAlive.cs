using System.Diagnostics;
using EdgeNode.Mqtt.Client;
using EdgeNode.Mqtt.Protocol;

namespace EdgeNode.Mqtt;

public sealed partial class MqttClient
{
    // Far more than any healthy link has outstanding; reaching it means the broker stopped answering.
    private const int MaxOutstandingPings = 1024;

    /// <summary>
    /// Sends a PINGREQ now and completes on its PINGRESP with the PINGREQ's sequence: every packet written before it
    /// (sequence ≤ the returned value) is then proven received and <see cref="ConfirmedSequence"/> has reached it. Fails
    /// with <see cref="MqttCommunicationException"/> when the connection ends first. Cheap (2 bytes); meant to be called
    /// about once a second while unconfirmed data matters.
    /// </summary>
    public Task<long> PingAsync(CancellationToken cancellationToken = default)
    {
        var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcome = EnqueuePing(waiter, onlyIfNoneOutstanding: false);
        if (outcome == PingOutcome.NotConnected)
        {
            return Task.FromException<long>(NotConnected(Volatile.Read(ref _state)));
        }

        if (outcome == PingOutcome.TooMany)
        {
            var info = new MqttDisconnectInfo(MqttDisconnectKind.KeepAliveTimeout,
                $"{MaxOutstandingPings} PINGREQs without PINGRESP", new TimeoutException("the broker stopped answering PINGREQ"));
            Break(info);
            return Task.FromException<long>(NotConnected(StateClosed));
        }

        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    private enum PingOutcome
    {
        Sent,
        Skipped,
        NotConnected,
        TooMany,
    }

    private PingOutcome EnqueuePing(TaskCompletionSource<long>? waiter, bool onlyIfNoneOutstanding)
    {
        lock (_writeLock)
        {
            if (_state != StateConnected)
            {
                return PingOutcome.NotConnected;
            }

            if (onlyIfNoneOutstanding && _pings.Count > 0)
            {
                return PingOutcome.Skipped;
            }

            if (_pings.Count >= MaxOutstandingPings)
            {
                return PingOutcome.TooMany;
            }

            var sequence = ++_sequence;
            MqttPacketEncoder.EncodePingReq(_out);
            _pings.Enqueue(new PendingPing(sequence, waiter));
        }

        _writeSignal.Set();
        return PingOutcome.Sent;
    }

    /// <summary>
    /// Keep-alive (3.1.1 §3.1.2.10, 5.0 §3.1.2.10): PINGREQ when nothing was sent or nothing received for half the
    /// keep-alive (so a broker that went silent while we only send QoS 0 is still probed), and the connection is dead
    /// when nothing at all arrived for a whole keep-alive — detection within 1.0–1.1× keep-alive, inside the 1.5× the
    /// server itself allows. Not counted as dead: bytes waiting unread in the socket (our reader is behind, the link is
    /// fine), the application's handler holding the reader back, and a stall of this process (GC pause, starved thread
    /// pool, suspended VM) — after a late tick a fresh PINGREQ gets half a keep-alive to be answered.
    /// </summary>
    private async Task KeepAliveLoopAsync(int keepAliveSeconds)
    {
        var keepAlive = keepAliveSeconds * Stopwatch.Frequency;
        var half = keepAlive / 2;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(keepAliveSeconds * 100, 50, 1000));
        var stalledAfter = Math.Max(half, (long)(period.TotalSeconds * 3 * Stopwatch.Frequency));
        var token = _lifetime.Token;
        var lastTick = Stopwatch.GetTimestamp();
        var graceUntil = 0L;
        try
        {
            using var timer = new PeriodicTimer(period);
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                if (now - lastTick > stalledAfter)
                {
                    graceUntil = now + half;
                }

                lastTick = now;
                var sinceReceived = now - Volatile.Read(ref _lastReceived);
                if (sinceReceived >= keepAlive && now >= graceUntil && !_readerPaused && !(_channel?.HasUnreadInput ?? false))
                {
                    var message = $"nothing received for {sinceReceived / (double)Stopwatch.Frequency:0.0} s (keep-alive {keepAliveSeconds} s)";
                    Break(new MqttDisconnectInfo(MqttDisconnectKind.KeepAliveTimeout, message, new TimeoutException(message)));
                    return;
                }

                var sinceSent = now - Volatile.Read(ref _lastSent);
                if (sinceReceived >= half || sinceSent >= half)
                {
                    EnqueuePing(null, onlyIfNoneOutstanding: true);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // connection ended
        }
    }
}
