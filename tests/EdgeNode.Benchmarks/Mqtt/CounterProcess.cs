using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeNode.Testing;

namespace EdgeNode.Benchmarks.Mqtt;

/// <summary>
/// One of the Node counting peers in tests/interop as a process: mqtt-sink.js (a minimal broker that acknowledges and
/// counts but forwards nothing) or mqtt-count.js (a raw counting subscriber behind a real broker). Both speak the same
/// stdin/stdout protocol: "expect &lt;n&gt; &lt;topic&gt;" → {"armed":n} … {"received":n}.
/// </summary>
internal sealed class CounterProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _reader;
    private TaskCompletionSource<long> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CounterProcess(Process process, JsonElement greeting)
    {
        _process = process;
        Greeting = greeting;
        _reader = Task.Run(ReadLinesAsync);
    }

    /// <summary>The first line the script printed ({"port":n} or {"ready":true}).</summary>
    public JsonElement Greeting { get; }

    /// <summary>Starts the sink broker; its port is in <see cref="Greeting"/>.</summary>
    public static Task<CounterProcess> StartSinkAsync() => StartAsync("mqtt-sink.js");

    /// <summary>Starts a counting subscriber on a real broker.</summary>
    public static Task<CounterProcess> StartSubscriberAsync(int port, string filter) =>
        StartAsync("mqtt-count.js", port.ToString(CultureInfo.InvariantCulture), filter);

    private static async Task<CounterProcess> StartAsync(string script, params string[] args)
    {
        var info = new ProcessStartInfo(NodeJs.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Interop,
        };
        info.ArgumentList.Add(Path.Combine(RepoPaths.Interop, script));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"{script} did not start: {await process.StandardError.ReadToEndAsync().ConfigureAwait(false)}");
        using var doc = JsonDocument.Parse(first);
        return new CounterProcess(process, doc.RootElement.Clone());
    }

    public IMessageCounter Counter(string topic) => new TopicCounter(this, topic);

    private async Task ReadLinesAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Contains("\"received\"", StringComparison.Ordinal))
            {
                _received.TrySetResult(Stopwatch.GetTimestamp());
            }
            else if (line.Contains("\"armed\"", StringComparison.Ordinal))
            {
                _armed.TrySetResult();
            }
        }
    }

    private async Task ExpectAsync(long target, string topic)
    {
        _received = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _process.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"expect {target} {topic}")).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        await _armed.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        await _reader.ConfigureAwait(false);
        _process.Dispose();
    }

    private sealed class TopicCounter(CounterProcess owner, string topic) : IMessageCounter
    {
        public Task ExpectAsync(long target) => owner.ExpectAsync(target, topic);

        public async Task<long?> WaitAsync(TimeSpan timeout)
        {
            try
            {
                return await owner._received.Task.WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }
}
