using System.Security.Authentication;
using EdgeNode.Mqtt.Protocol;

namespace EdgeNode.Mqtt;

/// <summary>Checks <see cref="MqttClientOptions"/> before a connection is attempted (and for config validation).</summary>
public static class MqttClientOptionsValidator
{
    /// <summary>Returns one message per problem (empty when the options are usable).</summary>
    /// <param name="options">The options to check.</param>
    /// <param name="checkFiles">Also check that TLS files exist and are readable.</param>
    public static IReadOnlyList<string> Validate(MqttClientOptions options, bool checkFiles = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add("host is empty");
        }

        if (options.Port is < 1 or > 65535)
        {
            errors.Add($"port {options.Port} is outside 1-65535");
        }

        if (options.KeepAliveSeconds is < 0 or > ushort.MaxValue)
        {
            errors.Add($"keepAliveSeconds {options.KeepAliveSeconds} is outside 0-65535");
        }

        if (!Enum.IsDefined(options.ProtocolVersion))
        {
            errors.Add($"protocol version {options.ProtocolVersion} is not supported (3.1.1 or 5.0)");
        }

        AddIfError(errors, options.ClientId is null ? "client id is null" : MqttTopicValidator.ValidateString(options.ClientId, "client id"));
        if (string.IsNullOrEmpty(options.ClientId) && !options.CleanSession && options.ProtocolVersion == MqttProtocolVersion.V311)
        {
            errors.Add("an empty client id needs a clean session in MQTT 3.1.1"); // [MQTT-3.1.3-7]
        }

        if (options.Username is not null)
        {
            AddIfError(errors, MqttTopicValidator.ValidateString(options.Username, "username"));
        }

        if (options.Password is not null)
        {
            AddIfError(errors, MqttTopicValidator.ValidateString(options.Password, "password"));
            if (options.Username is null && options.ProtocolVersion == MqttProtocolVersion.V311)
            {
                errors.Add("a password needs a username in MQTT 3.1.1"); // [MQTT-3.1.2-22]
            }
        }

        if (options.Will is { } will)
        {
            AddIfError(errors, MqttTopicValidator.ValidateTopicName(will.Topic) is { } e ? "will: " + e : null);
            if (!Enum.IsDefined(will.QoS))
            {
                errors.Add($"will QoS {(int)will.QoS} is not 0, 1 or 2");
            }

            if (will.Payload.Length > ushort.MaxValue)
            {
                errors.Add($"will payload is {will.Payload.Length} bytes (at most 65535)");
            }
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add("connect timeout must be positive");
        }

        if (options.MaxInflight is < 1 or > ushort.MaxValue)
        {
            errors.Add($"maxInflight {options.MaxInflight} is outside 1-65535");
        }

        if (options.ReceiveMaximum is < 1 or > ushort.MaxValue)
        {
            errors.Add($"receiveMaximum {options.ReceiveMaximum} is outside 1-65535");
        }

        if (options.MaxPacketSize is < 64 or > MqttClientOptions.ProtocolMaxPacketSize)
        {
            errors.Add($"maxPacketSize {options.MaxPacketSize} is outside 64-{MqttClientOptions.ProtocolMaxPacketSize}");
        }

        if (options.WriteBufferLimit < 4096)
        {
            errors.Add($"writeBufferLimit {options.WriteBufferLimit} is below 4096");
        }

        if (options.ReceiveQueueCapacity < 1)
        {
            errors.Add("receiveQueueCapacity must be at least 1");
        }

        if (options.Tls is null)
        {
            errors.Add("tls options are null");
        }

        if (options.UseTls && options.Tls is not null)
        {
            var tls = options.Tls;
            if ((tls.Protocols & ~(SslProtocols.Tls12 | SslProtocols.Tls13)) != 0 || tls.Protocols == SslProtocols.None)
            {
                errors.Add($"TLS protocols {tls.Protocols}: only Tls12 and Tls13 are allowed");
            }

            if (!string.IsNullOrEmpty(tls.KeyFile) && string.IsNullOrEmpty(tls.CertFile))
            {
                errors.Add("tls keyFile is set without certFile");
            }

            if (checkFiles)
            {
                CheckFile(errors, "tls caFile", tls.CaFile);
                CheckFile(errors, "tls certFile", tls.CertFile);
                CheckFile(errors, "tls keyFile", tls.KeyFile);
            }
        }

        return errors;
    }

    private static void AddIfError(List<string> errors, string? error)
    {
        if (error is not null)
        {
            errors.Add(error);
        }
    }

    private static void CheckFile(List<string> errors, string what, string? path)
    {
        if (!string.IsNullOrEmpty(path) && !File.Exists(path))
        {
            errors.Add($"{what} '{path}' does not exist");
        }
    }
}
