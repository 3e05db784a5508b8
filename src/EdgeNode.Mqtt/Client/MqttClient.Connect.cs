using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using EdgeNode.Mqtt.Transport;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;

namespace EdgeNode.Mqtt;

public sealed partial class MqttClient
{
    /// <summary>
    /// Opens the connection: TCP (and TLS), CONNECT, CONNACK, all within <see cref="MqttClientOptions.ConnectTimeout"/>.
    /// A refusal by the broker is returned as a result (<see cref="MqttConnectResult.IsSuccess"/> false, the connection
    /// closed); network failures and timeouts throw <see cref="MqttCommunicationException"/>; cancellation throws
    /// <see cref="OperationCanceledException"/>. A client connects once.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="MqttClientOptionsValidator"/>).</exception>
    /// <exception cref="InvalidOperationException">This client already connected once.</exception>
    public async Task<MqttConnectResult> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = MqttClientOptionsValidator.Validate(options, checkFiles: false);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid MQTT client options: " + string.Join("; ", errors), nameof(options));
        }

        lock (_writeLock)
        {
            if (_state != StateNew)
            {
                throw new InvalidOperationException("an MqttClient connects once; create a new client for a new connection");
            }

            _state = StateConnecting;
            _options = options;
            _version = options.ProtocolVersion;
            _endpoint = options.EndpointText + (options.UseTls ? " (tls)" : "");
            _window = options.MaxInflight;
            _writeBufferLimit = options.WriteBufferLimit;
            _maxIncomingPacketSize = options.MaxPacketSize;
            _receiveMaximum = options.ReceiveMaximum;
        }

        var version = options.ProtocolVersion == MqttProtocolVersion.V500 ? "5.0" : "3.1.1";
        Log.Connecting(_logger, _endpoint, options.ClientId, version);
        using var timeout = new CancellationTokenSource(options.ConnectTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            _channel = await MqttChannelAdapter.ConnectAsync(options, linked.Token).ConfigureAwait(false);
            _lastReceived = _lastSent = Stopwatch.GetTimestamp();
            _inbound = Channel.CreateBounded<MqttPublishPacket>(new BoundedChannelOptions(options.ReceiveQueueCapacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            _readerTask = ReadLoopAsync();
            _writerTask = WriteLoopAsync();
            lock (_writeLock)
            {
                if (_state != StateConnecting)
                {
                    throw NotConnected(_state);
                }

                _connectSequence = ++_sequence;
                MqttPacketEncoder.EncodeConnect(_out, BuildConnect(options));
            }

            _writeSignal.Set();
            var connAck = await _connAck.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            var result = new MqttConnectResult(connAck, options.ProtocolVersion);
            _connectResult = result;
            if (!result.IsSuccess)
            {
                Log.ConnectRefused(_logger, _endpoint, result.ToString());
                Break(new MqttDisconnectInfo(MqttDisconnectKind.ConnectRefused, $"connection refused: {result}"));
                return result;
            }

            _keepAliveSeconds = connAck.ServerKeepAlive ?? options.KeepAliveSeconds; // [MQTT-3.2.2-21]
            lock (_writeLock)
            {
                if (_state != StateConnecting)
                {
                    throw NotConnected(_state);
                }

                _window = Math.Min(options.MaxInflight, (int)connAck.ReceiveMaximum);
                _serverMaximumPacketSize = connAck.MaximumPacketSize ?? MqttClientOptions.ProtocolMaxPacketSize;
                _serverMaximumQoS = connAck.MaximumQoS;
                _retainAvailable = connAck.RetainAvailable;
                _state = StateConnected;
            }

            _dispatchTask = DispatchLoopAsync();
            if (_keepAliveSeconds > 0)
            {
                _keepAliveTask = KeepAliveLoopAsync(_keepAliveSeconds);
            }

            Log.Connected(_logger, _endpoint, connAck.AssignedClientIdentifier ?? options.ClientId, version, result.IsSessionPresent,
                _keepAliveSeconds, _window, _channel.TlsProtocol is { } tls ? $", {tls}" : "");
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Break(new MqttDisconnectInfo(MqttDisconnectKind.ClientDisconnected, "connect cancelled"));
            throw;
        }
        catch (OperationCanceledException ex)
        {
            var timedOut = new MqttCommunicationException(
                $"no CONNACK from {_endpoint} within {options.ConnectTimeout.TotalSeconds:0.#} s",
                new TimeoutException($"connect timed out after {options.ConnectTimeout.TotalSeconds:0.#} s", ex));
            Log.ConnectFailed(_logger, _endpoint, timedOut.Message);
            Break(new MqttDisconnectInfo(MqttDisconnectKind.ConnectionError, timedOut.Message, timedOut));
            throw timedOut;
        }
        catch (MqttCommunicationException ex)
        {
            Log.ConnectFailed(_logger, _endpoint, ex.Message);
            Break(new MqttDisconnectInfo(MqttDisconnectKind.ConnectionError, ex.Message, ex));
            throw;
        }
    }

    /// <summary>
    /// Ends the connection cleanly: everything queued before this call is written, then DISCONNECT (5.0: with
    /// <paramref name="reasonCode"/>; <see cref="MqttDisconnectReasonCode.DisconnectWithWillMessage"/> makes the broker
    /// publish the Will, Sparkplug's clean stop), then the socket is half-closed and closed once the broker hangs up (at
    /// most 2 s). MQTT 3.1.1 has no reason code: its DISCONNECT always discards the Will. Publishes still awaiting
    /// PUBACK fail with <see cref="MqttCommunicationException"/>. No-op when not connected.
    /// </summary>
    public async Task DisconnectAsync(MqttDisconnectReasonCode reasonCode = MqttDisconnectReasonCode.NormalDisconnection,
        CancellationToken cancellationToken = default)
    {
        var info = new MqttDisconnectInfo(MqttDisconnectKind.ClientDisconnected,
            reasonCode == MqttDisconnectReasonCode.NormalDisconnection
                ? "disconnected by the application"
                : $"disconnected by the application ({reasonCode})",
            reasonCode: reasonCode);
        bool graceful;
        lock (_writeLock)
        {
            graceful = _state == StateConnected;
            if (graceful)
            {
                _state = StateDisconnecting;
                _requestedDisconnect = info;
                ++_sequence;
                MqttPacketEncoder.EncodeDisconnect(_out, _version, reasonCode);
                _flushTarget = _out.TotalEnqueued;
            }
        }

        if (!graceful)
        {
            // Connecting: abandon the attempt; New/Closed: nothing to do.
            if (Volatile.Read(ref _state) == StateConnecting)
            {
                Break(info);
            }

            if (_cleanupTask is { } done)
            {
                await done.ConfigureAwait(false);
            }

            return;
        }

        _writeSignal.Set();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await _flushed.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            if (_channel is { } channel && Volatile.Read(ref _state) == StateDisconnecting)
            {
                // [MQTT-3.14.4-1]: close after DISCONNECT; half-close first so the broker reads it before the FIN.
                await channel.ShutdownSendAsync().ConfigureAwait(false);
                await _readerTask.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            // the broker did not hang up in time; we close anyway
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // the writer did not drain within 5 s (a stalled link); close anyway
        }
        finally
        {
            Break(info);
        }

        if (_cleanupTask is { } cleanup)
        {
            await cleanup.ConfigureAwait(false);
        }
    }

    private static MqttConnectPacket BuildConnect(MqttClientOptions options) => new()
    {
        ProtocolVersion = options.ProtocolVersion,
        ClientId = options.ClientId,
        CleanSession = options.CleanSession,
        KeepAliveSeconds = (ushort)options.KeepAliveSeconds,
        Username = options.Username,
        Password = options.Password is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(options.Password),
        Will = options.Will,
        SessionExpiryInterval = options.ProtocolVersion == MqttProtocolVersion.V500 ? options.SessionExpiryInterval : 0,
        ReceiveMaximum = (ushort)options.ReceiveMaximum,
        MaximumPacketSize = options.MaxPacketSize >= MqttClientOptions.ProtocolMaxPacketSize ? 0 : (uint)options.MaxPacketSize,
        UserProperties = options.UserProperties,
    };
}
