using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeNode.Testing;

/// <summary>
/// An independent Sparkplug host on a broker: MQTT.js subscribes and Eclipse Tahu's codec decodes
/// (<c>tests/interop/sparkplug-observer.js</c>), every message lands in <see cref="Messages"/> in arrival order, and
/// the same client publishes NCMD/DCMD/STATE for the test. It reconnects by itself within ~20 ms when the broker
/// comes back; a test that restarts the broker waits for <see cref="WaitConnectedAsync"/> before letting the node in.
/// </summary>
/// <remarks>
/// Record fields follow the script's header: 64-bit integers are decimal strings, UInt32 values and datatypes of
/// DATA metrics that carry none are completed from the wire and the last births (flagged on the metric).
/// </remarks>
public sealed class SparkplugObserver : IAsyncDisposable
{
    private const string Script = "sparkplug-observer.js";
    private static readonly TimeSpan s_publishTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<SparkplugMessage> _messages = [];
    private readonly List<string> _events = [];
    private readonly Dictionary<int, TaskCompletionSource<string?>> _publishes = [];
    private readonly Task _reader;
    private readonly SemaphoreSlim _stdinLock = new(1, 1);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _subscriptions;
    private int _nextPublishId;

    private SparkplugObserver(Process process, int port)
    {
        _process = process;
        Port = port;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lock)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>The broker port observed.</summary>
    public int Port { get; }

    /// <summary>
    /// More text for failure messages (typically the node's output tail); set by the test so every timeout shows it.
    /// </summary>
    public Func<string>? Diagnostics { get; set; }

    /// <summary>A snapshot of every message received so far, in arrival order (<see cref="SparkplugMessage.Index"/> = position).</summary>
    public IReadOnlyList<SparkplugMessage> Messages
    {
        get
        {
            lock (_lock)
            {
                return _messages.ToArray();
            }
        }
    }

    /// <summary>Number of messages received so far (an index to wait from).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _messages.Count;
            }
        }
    }

    /// <summary>How many times the subscription was (re)established (one per broker connection).</summary>
    public int Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>Starts the observer on 127.0.0.1:<paramref name="brokerPort"/> and waits for its first SUBACK.</summary>
    public static async Task<SparkplugObserver> StartAsync(int brokerPort, params string[] filters)
    {
        var args = new List<string> { "--url", $"mqtt://127.0.0.1:{brokerPort}" };
        foreach (var filter in filters.Length == 0 ? ["spBv1.0/#"] : filters)
        {
            args.AddRange(["--filter", filter]);
        }

        var directory = Peers.RequireNodeModules();
        var info = new ProcessStartInfo(NodeJs.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        info.ArgumentList.Add(Path.Combine(directory, Script));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start node");
        var observer = new SparkplugObserver(process, brokerPort);
        try
        {
            await observer.WaitConnectedAsync(1, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            return observer;
        }
        catch
        {
            await observer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until the subscription was established at least <paramref name="subscriptions"/> times in total.</summary>
    public Task WaitConnectedAsync(int subscriptions, TimeSpan timeout) =>
        WaitUntilAsync(() => Subscriptions >= subscriptions, timeout, $"observer subscribed {subscriptions} time(s) on port {Port}");

    /// <summary>Waits until the observer subscribed once more than now (after a broker restart).</summary>
    public Task WaitReconnectedAsync(int subscriptionsBefore, TimeSpan timeout) => WaitConnectedAsync(subscriptionsBefore + 1, timeout);

    /// <summary>
    /// The first message at or after <paramref name="fromIndex"/> that matches; fails after <paramref name="timeout"/>
    /// with what was seen and the <see cref="Diagnostics"/>.
    /// </summary>
    public async Task<SparkplugMessage> WaitForAsync(Func<SparkplugMessage, bool> predicate, TimeSpan timeout, string what,
        int fromIndex = 0)
    {
        SparkplugMessage? hit = null;
        await WaitUntilAsync(() =>
        {
            var messages = Messages;
            for (var i = fromIndex; i < messages.Count; i++)
            {
                if (predicate(messages[i]))
                {
                    hit = messages[i];
                    return true;
                }
            }

            return false;
        }, timeout, what, fromIndex).ConfigureAwait(false);
        return hit!;
    }

    /// <summary>Waits for the first message on <paramref name="topic"/> at or after <paramref name="fromIndex"/>.</summary>
    public Task<SparkplugMessage> WaitForTopicAsync(string topic, TimeSpan timeout, int fromIndex = 0) =>
        WaitForAsync(m => m.Topic == topic, timeout, $"a message on {topic}", fromIndex);

    /// <summary>Waits until <paramref name="condition"/> over the messages holds.</summary>
    public async Task WaitForConditionAsync(Func<IReadOnlyList<SparkplugMessage>, bool> condition, TimeSpan timeout, string what,
        int fromIndex = 0) =>
        await WaitUntilAsync(() => condition(Messages), timeout, what, fromIndex).ConfigureAwait(false);

    /// <summary>Fails with the observation log unless nothing matching arrives within <paramref name="window"/>.</summary>
    public async Task AssertNoneAsync(Func<SparkplugMessage, bool> predicate, TimeSpan window, string what, int fromIndex = 0)
    {
        await Task.Delay(window).ConfigureAwait(false);
        var hit = Messages.Skip(fromIndex).FirstOrDefault(m =>
        {
            try
            {
                return predicate(m);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidCastException or OverflowException)
            {
                return false;
            }
        });
        if (hit is not null)
        {
            throw new ObservationException($"expected no {what} within {window.TotalSeconds:0.#} s, but got #{hit.Index}: {Summarize(hit)}\n" +
                Report(fromIndex));
        }
    }

    /// <summary>Publishes a payload in Tahu's model JSON (encoded by Tahu's <c>encodePayload</c>); waits for the PUBACK at QoS 1.</summary>
    public Task PublishAsync(string topic, JsonNode tahuPayload, int qos = 1, bool retain = false) =>
        PublishCoreAsync(new JsonObject { ["topic"] = topic, ["payloadJson"] = tahuPayload.DeepClone() }, qos, retain);

    /// <summary>Publishes raw bytes (malformed payloads, foreign encoders).</summary>
    public Task PublishRawAsync(string topic, byte[] payload, int qos = 1, bool retain = false) =>
        PublishCoreAsync(new JsonObject { ["topic"] = topic, ["rawBase64"] = Convert.ToBase64String(payload) }, qos, retain);

    /// <summary>Publishes UTF-8 text (STATE messages).</summary>
    public Task PublishTextAsync(string topic, string text, int qos = 1, bool retain = false) =>
        PublishCoreAsync(new JsonObject { ["topic"] = topic, ["text"] = text }, qos, retain);

    /// <summary>Publishes a Sparkplug 3.0 STATE message (<c>spBv1.0/STATE/&lt;hostId&gt;</c>, retained, QoS 1).</summary>
    public Task PublishStateAsync(string hostId, bool online, long timestamp) =>
        PublishTextAsync($"spBv1.0/STATE/{hostId}",
            $"{{\"online\":{(online ? "true" : "false")},\"timestamp\":{timestamp.ToString(CultureInfo.InvariantCulture)}}}",
            qos: 1, retain: true);

    /// <summary>NCMD <c>Node Control/Rebirth</c> = true, as the TCK sends it (by name, Boolean, no payload timestamp).</summary>
    public Task RequestRebirthAsync(string groupId, string edgeNodeId) =>
        PublishAsync($"spBv1.0/{groupId}/NCMD/{edgeNodeId}", new JsonObject
        {
            ["metrics"] = new JsonArray(new JsonObject { ["name"] = "Node Control/Rebirth", ["type"] = "Boolean", ["value"] = true }),
        });

    /// <summary>
    /// The metric of <paramref name="message"/> named <paramref name="name"/>, resolving aliases through the latest
    /// NBIRTH/DBIRTH of the same edge node received before it; null when absent.
    /// </summary>
    public ObservedMetric? FindMetric(SparkplugMessage message, string name) =>
        message.Payload?.Metrics.FirstOrDefault(m => ResolveName(message, m) == name);

    /// <summary>Every metric of <paramref name="message"/> with its name (resolved from the births when only an alias came).</summary>
    public IReadOnlyList<(string? Name, ObservedMetric Metric)> ResolvedMetrics(SparkplugMessage message) =>
        message.Payload?.Metrics.Select(m => (ResolveName(message, m), m)).ToList() ?? [];

    /// <summary>The metric's name, or the name its alias had in the latest birth of the edge node before <paramref name="message"/>.</summary>
    public string? ResolveName(SparkplugMessage message, ObservedMetric metric)
    {
        if (metric.Name is not null || metric.Alias is null)
        {
            return metric.Name;
        }

        // Aliases are unique across the node's session, which begins at its latest NBIRTH: scan back to it.
        var messages = Messages;
        for (var i = Math.Min(message.Index, messages.Count) - 1; i >= 0; i--)
        {
            var m = messages[i];
            if (m.GroupId != message.GroupId || m.EdgeNodeId != message.EdgeNodeId || !m.IsBirth || m.Payload is null)
            {
                continue;
            }

            var hit = m.Payload.Metrics.FirstOrDefault(x => x.Alias == metric.Alias);
            if (hit is not null)
            {
                return hit.Name;
            }

            if (m.MessageType == "NBIRTH")
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>The latest message of <paramref name="messageType"/> for the edge node (and device), or null.</summary>
    public SparkplugMessage? Latest(string groupId, string edgeNodeId, string messageType, string? deviceId = null) =>
        Messages.LastOrDefault(m => m.GroupId == groupId && m.EdgeNodeId == edgeNodeId && m.MessageType == messageType &&
                                    (deviceId is null || m.DeviceId == deviceId));

    /// <summary>A readable log of the messages from <paramref name="fromIndex"/> (the last 80) plus <see cref="Diagnostics"/>.</summary>
    public string Report(int fromIndex = 0)
    {
        var messages = Messages;
        var text = new StringBuilder();
        var first = Math.Max(fromIndex, messages.Count - 80);
        text.AppendLine(CultureInfo.InvariantCulture, $"observer on port {Port}: {messages.Count} message(s) in total, {Subscriptions} subscription(s); from #{fromIndex}:");
        if (first > fromIndex)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  ... {first - fromIndex} earlier message(s) omitted");
        }

        var t0 = messages.Count > 0 ? messages[0].ReceivedMs : 0;
        for (var i = first; i < messages.Count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  +{messages[i].ReceivedMs - t0}ms {Summarize(messages[i])}");
        }

        lock (_lock)
        {
            if (_events.Count > 0)
            {
                text.AppendLine("observer events: " + string.Join(", ", _events.TakeLast(20)));
            }
        }

        if (Diagnostics is { } diagnostics)
        {
            try
            {
                text.AppendLine(diagnostics());
            }
            catch (Exception ex)
            {
                text.AppendLine($"(diagnostics failed: {ex.Message})");
            }
        }

        return text.ToString();
    }

    /// <summary>One line: index, topic, QoS, seq, metrics with resolved names and values.</summary>
    public string Summarize(SparkplugMessage message)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"#{message.Index} {message.Topic} q{message.Qos}{(message.Retain ? " retained" : "")}");
        if (message.Error is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" ERROR {message.Error}");
        }

        if (message.Text is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" text={message.Text}");
        }

        if (message.Payload is { } p)
        {
            text.Append(CultureInfo.InvariantCulture, $" seq={(p.Seq?.ToString(CultureInfo.InvariantCulture) ?? "-")} ts={p.Timestamp} [");
            var metrics = ResolvedMetrics(message);
            text.Append(string.Join(", ", metrics.Take(40).Select(x => x.Metric.Describe(x.Name))));
            if (metrics.Count > 40)
            {
                text.Append(CultureInfo.InvariantCulture, $", ... {metrics.Count - 40} more");
            }

            text.Append(']');
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // already gone, or the OS reaps it
        }

        _process.Dispose();
        lock (_lock)
        {
            foreach (var pending in _publishes.Values)
            {
                pending.TrySetResult("observer disposed");
            }
        }
    }

    private async Task PublishCoreAsync(JsonObject publish, int qos, bool retain)
    {
        int id;
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            id = ++_nextPublishId;
            _publishes[id] = done;
        }

        var request = new JsonObject { ["publish"] = publish, ["qos"] = qos, ["retain"] = retain, ["id"] = id };
        await _stdinLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _process.StandardInput.WriteLineAsync(request.ToJsonString()).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _stdinLock.Release();
        }

        string? error;
        try
        {
            error = await done.Task.WaitAsync(s_publishTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ObservationException($"publish to {publish["topic"]} not acknowledged within {s_publishTimeout.TotalSeconds} s\n{Report()}");
        }

        if (error is not null)
        {
            throw new ObservationException($"publish to {publish["topic"]} failed: {error}");
        }
    }

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, int fromIndex = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? predicateError = null;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidCastException or OverflowException or KeyNotFoundException)
            {
                // a message that does not have the expected shape (a null value, another type) simply does not match
                predicateError = ex.Message;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                var hint = predicateError is null ? "" : $" (the condition last failed with: {predicateError})";
                throw new ObservationException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{hint}\n{Report(fromIndex)}");
            }

            if (_process.HasExited)
            {
                throw new ObservationException($"the observer exited ({_process.ExitCode}) while waiting for {what}:\n{StandardError}\n{Report(fromIndex)}");
            }

            await Task.WhenAny(changed, Task.Delay(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250))).ConfigureAwait(false);
        }
    }

    private string StandardError
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                Handle(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the process went away
        }

        Signal();
    }

    private void Handle(string line)
    {
        if (!line.StartsWith('{'))
        {
            return; // node's own warnings on stderr
        }

        JsonObject json;
        try
        {
            json = JsonNode.Parse(line)!.AsObject();
        }
        catch (JsonException)
        {
            return;
        }

        lock (_lock)
        {
            if (json["event"] is { } ev)
            {
                var name = ev.GetValue<string>();
                _events.Add(json["message"] is { } msg ? $"{name}({msg})" : name);
                if (name == "subscribed")
                {
                    _subscriptions++;
                }
            }
            else if (json.ContainsKey("published") || json.ContainsKey("publishError"))
            {
                var idNode = json["published"] ?? json["publishError"];
                if (idNode is not null && _publishes.Remove(idNode.GetValue<int>(), out var pending))
                {
                    pending.TrySetResult(json.ContainsKey("publishError") ? json["error"]?.GetValue<string>() ?? "error" : null);
                }
            }
            else if (json.ContainsKey("topic"))
            {
                _messages.Add(SparkplugMessage.Parse(json, _messages.Count));
            }
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource old;
        lock (_lock)
        {
            old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        old.TrySetResult();
    }
}

/// <summary>A wait of an end-to-end test failed; the message carries what was observed.</summary>
public sealed class ObservationException(string message) : Exception(message);

/// <summary>One message as the observer received and Tahu decoded it.</summary>
public sealed class SparkplugMessage
{
    public required int Index { get; init; }

    public required string Topic { get; init; }

    public required int Qos { get; init; }

    public required bool Retain { get; init; }

    public required long ReceivedMs { get; init; }

    /// <summary>The decoded payload (also present next to <see cref="Error"/> when only Tahu's model rejected it).</summary>
    public ObservedPayload? Payload { get; init; }

    /// <summary>Tahu's error when the payload was undecodable.</summary>
    public string? Error { get; init; }

    /// <summary>The UTF-8 text of STATE messages.</summary>
    public string? Text { get; init; }

    /// <summary>The raw bytes when undecodable.</summary>
    public string? RawBase64 { get; init; }

    /// <summary>The record as the script wrote it.</summary>
    public required JsonObject Json { get; init; }

    /// <summary>Topic levels: spBv1.0 / group / type / edge [/ device]; null for STATE and foreign topics.</summary>
    public string? GroupId { get; init; }

    public string? MessageType { get; init; }

    public string? EdgeNodeId { get; init; }

    public string? DeviceId { get; init; }

    public bool IsBirth => MessageType is "NBIRTH" or "DBIRTH";

    public bool IsData => MessageType is "NDATA" or "DDATA";

    /// <summary>Payload seq (throws when absent).</summary>
    public int Seq => (int)(Payload?.Seq ?? throw new InvalidOperationException($"#{Index} {Topic} has no seq"));

    /// <summary>A top-level metric by its literal name (no alias resolution; see <see cref="SparkplugObserver.FindMetric"/>).</summary>
    public ObservedMetric? Metric(string name) => Payload?.Metrics.FirstOrDefault(m => m.Name == name);

    internal static SparkplugMessage Parse(JsonObject json, int index)
    {
        var topic = json["topic"]!.GetValue<string>();
        var parts = topic.Split('/');
        var sparkplug = parts.Length >= 4 && parts[0] == "spBv1.0" && parts[1] != "STATE";
        return new SparkplugMessage
        {
            Index = index,
            Topic = topic,
            Qos = json["qos"]?.GetValue<int>() ?? 0,
            Retain = json["retain"]?.GetValue<bool>() ?? false,
            ReceivedMs = json["receivedMs"]?.GetValue<long>() ?? 0,
            Payload = json["payload"] is JsonObject p ? ObservedPayload.Parse(p) : null,
            Error = json["error"]?.GetValue<string>(),
            Text = json["text"]?.GetValue<string>(),
            RawBase64 = json["rawBase64"]?.GetValue<string>(),
            Json = json,
            GroupId = sparkplug ? parts[1] : null,
            MessageType = sparkplug ? parts[2] : null,
            EdgeNodeId = sparkplug ? parts[3] : null,
            DeviceId = sparkplug && parts.Length > 4 ? string.Join('/', parts[4..]) : null,
        };
    }

    public override string ToString() => $"#{Index} {Topic}";
}

/// <summary>A decoded Sparkplug payload.</summary>
public sealed class ObservedPayload
{
    public ulong? Timestamp { get; init; }

    /// <summary>Null when the payload had no seq field (NDEATH).</summary>
    public ulong? Seq { get; init; }

    public IReadOnlyList<ObservedMetric> Metrics { get; init; } = [];

    internal static ObservedPayload Parse(JsonObject json) => new()
    {
        Timestamp = Json64.ULong(json["timestamp"]),
        Seq = Json64.ULong(json["seq"]),
        Metrics = json["metrics"] is JsonArray a ? a.Select(m => ObservedMetric.Parse(m!.AsObject())).ToList() : [],
    };
}

/// <summary>A decoded metric (see the observer script for the fields).</summary>
public sealed class ObservedMetric
{
    public string? Name { get; init; }

    public ulong? Alias { get; init; }

    public ulong? Timestamp { get; init; }

    /// <summary>The datatype id (as sent, or from the birth when <see cref="DatatypeFromBirth"/>).</summary>
    public int? Datatype { get; init; }

    public string? DatatypeName { get; init; }

    /// <summary>The decoded value: JSON number, bool, string (64-bit integers as decimal strings), or null.</summary>
    public JsonNode? Value { get; init; }

    public bool IsNull { get; init; }

    public bool IsHistorical { get; init; }

    public bool IsTransient { get; init; }

    /// <summary>The proto oneof field that carried the value (intValue, longValue, ...).</summary>
    public string? WireField { get; init; }

    public bool DatatypeFromBirth { get; init; }

    public IReadOnlyDictionary<string, ObservedProperty> Properties { get; init; } = new Dictionary<string, ObservedProperty>();

    public ObservedTemplate? Template { get; init; }

    public double AsDouble() => Value is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? double.Parse(v.GetValue<string>(), CultureInfo.InvariantCulture)
        : Value?.GetValue<double>() ?? throw NoValue();

    public long AsLong() => Value is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? long.Parse(v.GetValue<string>(), CultureInfo.InvariantCulture)
        : (long)(Value?.GetValue<double>() ?? throw NoValue());

    public ulong AsULong() => Value is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? ulong.Parse(v.GetValue<string>(), CultureInfo.InvariantCulture)
        : (ulong)(Value?.GetValue<double>() ?? throw NoValue());

    public bool AsBool() => Value?.GetValue<bool>() ?? throw NoValue();

    private InvalidOperationException NoValue() =>
        new($"metric {Describe()} has no value{(IsNull ? " (is_null = true)" : "")}");

    public string? AsString() => Value?.GetValue<string>();

    /// <summary>Value as invariant text (for messages and loose comparisons).</summary>
    public string ValueText => Template is not null ? "<template>" : IsNull ? "null" : Value?.ToJsonString() ?? "(none)";

    public string Describe(string? resolvedName = null)
    {
        var name = resolvedName ?? Name ?? "?";
        var alias = Alias is { } a ? $"(a{a})" : "";
        var hist = IsHistorical ? " hist" : "";
        var ts = Timestamp is { } t ? $"@{t}" : "";
        if (Template is { } tpl)
        {
            return $"{name}{alias}=T[{(tpl.IsDefinition == true ? "def" : "ref=" + tpl.TemplateRef)} v{tpl.Version} " +
                   string.Join("; ", tpl.Metrics.Select(m => m.Describe())) + "]" + hist;
        }

        var props = Properties.Count == 0 ? "" : "{" + string.Join(",", Properties.Select(p => $"{p.Key}={p.Value.Value?.ToJsonString() ?? "null"}")) + "}";
        return $"{name}{alias}:{DatatypeName ?? "-"}={ValueText}{hist}{ts}{props}";
    }

    internal static ObservedMetric Parse(JsonObject json) => new()
    {
        Name = json["name"]?.GetValue<string>(),
        Alias = Json64.ULong(json["alias"]),
        Timestamp = Json64.ULong(json["timestamp"]),
        Datatype = json["datatype"]?.GetValue<int>(),
        DatatypeName = json["datatypeName"]?.GetValue<string>(),
        Value = json["value"]?.DeepClone(),
        IsNull = json["isNull"]?.GetValue<bool>() ?? false,
        IsHistorical = json["isHistorical"]?.GetValue<bool>() ?? false,
        IsTransient = json["isTransient"]?.GetValue<bool>() ?? false,
        WireField = json["wireField"]?.GetValue<string>(),
        DatatypeFromBirth = json["datatypeFromBirth"]?.GetValue<bool>() ?? false,
        Properties = json["properties"] is JsonObject props
            ? props.ToDictionary(kv => kv.Key, kv => ObservedProperty.Parse(kv.Value!.AsObject()))
            : new Dictionary<string, ObservedProperty>(),
        Template = json["templateValue"] is JsonObject t ? ObservedTemplate.Parse(t) : null,
    };
}

/// <summary>A metric property (PropertyValue).</summary>
public sealed class ObservedProperty
{
    public int? Type { get; init; }

    public string? TypeName { get; init; }

    public JsonNode? Value { get; init; }

    public bool IsNull { get; init; }

    internal static ObservedProperty Parse(JsonObject json) => new()
    {
        Type = json["type"]?.GetValue<int>(),
        TypeName = json["typeName"]?.GetValue<string>(),
        Value = json["value"]?.DeepClone(),
        IsNull = json["isNull"]?.GetValue<bool>() ?? false,
    };
}

/// <summary>A Template value (definition or instance).</summary>
public sealed class ObservedTemplate
{
    public string? Version { get; init; }

    public string? TemplateRef { get; init; }

    /// <summary>Null when the field was absent.</summary>
    public bool? IsDefinition { get; init; }

    public IReadOnlyList<ObservedMetric> Metrics { get; init; } = [];

    public IReadOnlyList<ObservedParameter> Parameters { get; init; } = [];

    public ObservedMetric? Member(string name) => Metrics.FirstOrDefault(m => m.Name == name);

    public ObservedParameter? Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);

    internal static ObservedTemplate Parse(JsonObject json) => new()
    {
        Version = json["version"]?.GetValue<string>(),
        TemplateRef = json["templateRef"]?.GetValue<string>(),
        IsDefinition = json["isDefinition"]?.GetValue<bool>(),
        Metrics = json["metrics"] is JsonArray a ? a.Select(m => ObservedMetric.Parse(m!.AsObject())).ToList() : [],
        Parameters = json["parameters"] is JsonArray p
            ? p.Select(x => new ObservedParameter(x!["name"]?.GetValue<string>(), x["type"]?.GetValue<int>(),
                x["typeName"]?.GetValue<string>(), x["value"]?.DeepClone())).ToList()
            : [],
    };
}

/// <summary>A Template parameter.</summary>
public sealed record ObservedParameter(string? Name, int? Type, string? TypeName, JsonNode? Value);

internal static class Json64
{
    public static ulong? ULong(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => ulong.Parse(v.GetValue<string>(), CultureInfo.InvariantCulture),
        JsonValue v => (ulong)v.GetValue<double>(),
        _ => null,
    };
}
