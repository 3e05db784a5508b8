using System.Globalization;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Issue 15, RS-485 noise: the node on a serial line through <see cref="Rs485FaultRelay"/> (pty pairs, pymodbus's RTU
/// server on the far end) that damages one unit's answers — flipped bits, dropped and extra bytes, frames from the
/// wrong unit id with a valid CRC, answers after the timeout, a quiet line. The registers never change, so any DDATA,
/// or a birth with another value, is a wrong value published.
/// </summary>
public sealed class RtuFaultTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const ushort NoisyA = 1111;
    private const ushort NoisyB = 2222;
    private const ushort CleanValue = 555;

    private static string Device(string id, string port, byte unit, int retries, int? deadAfter = null, int timeoutMs = 150) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
              - id: {{id}}
                scanMs: 100
            {{(deadAfter is { } d ? $"    deadAfterFailedScans: {d}\n" : "")}}    modbus:
                  rtu: { port: {{port}}, baud: 19200 }
                  unitId: {{unit}}
                  timeoutMs: {{timeoutMs}}
                  retries: {{retries}}
                metrics:
                  - { name: A, table: holding, address: 0, type: uint16 }
                  - { name: B, table: holding, address: 1, type: uint16 }

            """);

    private static void AssertBirthValues(SparkplugMessage birth, long a, long b)
    {
        Assert.Equal(a, birth.Metric("A")!.AsLong());
        Assert.Equal(b, birth.Metric("B")!.AsLong());
    }

    [Fact]
    public async Task NoisyUnit_NoWrongValue_OtherUnitKeepsItsRate_NoFlap_DeadWhenQuiet_BornWhenClean()
    {
        var broker = await StartBrokerAsync();
        var relay = await StartRs485RelayAsync();
        var slave = await StartRtuSlaveAsync(relay.SlavePort, new PyModbusRegisterMap()
            .Holding(1, 0, NoisyA, NoisyB)
            .Holding(2, 0, CleanValue, CleanValue), 1, 2);
        var observer = await ObserveAsync(broker);
        StartNode(Config(broker).ToYaml() + "devices:\n" + Device("Noisy", relay.NodePort, 1, retries: 2) + Device("Clean", relay.NodePort, 2, retries: 2));

        var nbirth = await WaitNBirthAsync(observer);
        AssertBirthValues(await WaitDBirthAsync(observer, "Noisy", nbirth.Index), NoisyA, NoisyB);
        AssertBirthValues(await WaitDBirthAsync(observer, "Clean", nbirth.Index), CleanValue, CleanValue);

        // The clean unit's scan rate on a clean line, then with 10 % of the other unit's answers damaged.
        var cleanRate = await RequestsPerSecondAsync(slave, 2, TimeSpan.FromSeconds(3));
        await relay.NoiseAsync(1, 10);
        var noisyRate = await RequestsPerSecondAsync(slave, 2, TimeSpan.FromSeconds(6));
        var stats = await relay.StatsAsync(1);
        Output.WriteLine($"clean unit: {cleanRate:F1} requests/s on a clean line, {noisyRate:F1} with 10 % noise on unit 1; relay: {stats}");
        Assert.True(stats.Damaged >= 4, $"the relay damaged too few answers to prove anything: {stats}");
        Assert.True(stats.Flip > 0 && stats.Drop > 0 && stats.Extra > 0 && stats.WrongUnit > 0, $"every kind of damage should occur: {stats}");
        Assert.True(noisyRate >= cleanRate * 0.5, $"the clean unit lost its scan rate: {cleanRate:F1}/s -> {noisyRate:F1}/s");
        Assert.DoesNotContain(observer.Messages, m => m.Topic == DDeathTopic("Noisy")); // deadAfterFailedScans 3 and retries 2: no flap

        // Answers after the timeout (400 ms against 150 ms): each lands in the window of a later request, for the
        // other unit (refused: wrong unit id) or for the same unit's identical request (accepted: RTU has no
        // transaction id, and it carries that request's data). Either way no wrong value, the clean unit unharmed.
        await relay.ClearAsync();
        await relay.LateAsync(1, 400);
        await Task.Delay(3000);
        await relay.ClearAsync();
        Output.WriteLine($"late answers: {await relay.StatsAsync(1)}");
        var lateDeath = observer.Messages.LastOrDefault(m => m.Topic == DDeathTopic("Noisy"));
        if (lateDeath is not null)
        {
            AssertBirthValues(await WaitDBirthAsync(observer, "Noisy", lateDeath.Index, StepTimeout), NoisyA, NoisyB);
        }

        // A quiet line: declared dead after three failed scans, born again with the true values when it speaks.
        var beforeQuiet = observer.Messages.Count;
        var silence = System.Diagnostics.Stopwatch.StartNew();
        await relay.QuietAsync(1, true);
        var quiet = await observer.WaitForTopicAsync(DDeathTopic("Noisy"), StepTimeout, beforeQuiet);
        Output.WriteLine($"quiet line: DDEATH after {silence.Elapsed.TotalSeconds:F1} s");
        await relay.QuietAsync(1, false);
        AssertBirthValues(await WaitDBirthAsync(observer, "Noisy", quiet.Index, StepTimeout), NoisyA, NoisyB);

        // Never a wrong value: the registers never changed, so there is no DDATA at all, and every birth had the truth.
        Assert.DoesNotContain(observer.Messages, m => m.Topic == DDataTopic("Noisy") || m.Topic == DDataTopic("Clean"));
        Assert.DoesNotContain(observer.Messages, m => m.Topic == DDeathTopic("Clean"));
        foreach (var birth in observer.Messages.Where(m => m.Topic == DBirthTopic("Noisy")))
        {
            AssertBirthValues(birth, NoisyA, NoisyB);
        }

        Assert.Null(FirstSeqBreak(SequencedMessages(observer.Messages, GroupId, EdgeNodeId)));
    }

    /// <summary>
    /// The measurement behind the default of <c>deadAfterFailedScans</c>: two units on one line, both with 10 % of their
    /// answers damaged and no retries (the worst case: every damaged answer fails a scan), one declared dead at the first
    /// failed scan, the other after three. The DDEATH counts go to the test output (quoted in the README); the test
    /// asserts only that no wrong value was published, since flapping is a rate on a loaded machine.
    /// </summary>
    [Fact]
    public async Task TenPercentNoise_FlappingWithAndWithoutThreshold_IsMeasured_NoWrongValue()
    {
        var broker = await StartBrokerAsync();
        var relay = await StartRs485RelayAsync();
        var slave = await StartRtuSlaveAsync(relay.SlavePort, new PyModbusRegisterMap()
            .Holding(1, 0, NoisyA, NoisyB)
            .Holding(3, 0, NoisyA, NoisyB), 1, 3);
        var observer = await ObserveAsync(broker);
        StartNode(Config(broker).ToYaml() + "devices:\n"
            + Device("Strict", relay.NodePort, 1, retries: 0, deadAfter: 1)
            + Device("Tolerant", relay.NodePort, 3, retries: 0));
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Strict", nbirth.Index);
        await WaitDBirthAsync(observer, "Tolerant", nbirth.Index);

        var from = observer.Messages.Count;
        await relay.NoiseAsync(1, 10);
        await relay.NoiseAsync(3, 10);
        var window = TimeSpan.FromSeconds(10);
        var start = await slave.RequestCountAsync(1);
        await Task.Delay(window);
        var scans = await slave.RequestCountAsync(1) - start;
        await relay.ClearAsync();
        var strict = observer.Messages.Skip(from).Count(m => m.Topic == DDeathTopic("Strict"));
        var tolerant = observer.Messages.Skip(from).Count(m => m.Topic == DDeathTopic("Tolerant"));
        var stats1 = await relay.StatsAsync(1);
        var stats3 = await relay.StatsAsync(3);
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"10 % damaged answers, retries 0, {window.TotalSeconds:F0} s, {scans} requests to unit 1: DDEATHs with deadAfterFailedScans 1 = {strict}, with 3 = {tolerant}; relay unit 1: {stats1}, unit 3: {stats3}"));

        Assert.DoesNotContain(observer.Messages, m => m.Topic == DDataTopic("Strict") || m.Topic == DDataTopic("Tolerant"));
        foreach (var birth in observer.Messages.Where(m => m.Topic == DBirthTopic("Strict") || m.Topic == DBirthTopic("Tolerant")))
        {
            AssertBirthValues(birth, NoisyA, NoisyB);
        }

        Assert.Null(FirstSeqBreak(SequencedMessages(observer.Messages, GroupId, EdgeNodeId)));
    }

    private static async Task<double> RequestsPerSecondAsync(PyModbusSlave slave, byte unit, TimeSpan window)
    {
        var start = await slave.RequestCountAsync(unit);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(window);
        return (await slave.RequestCountAsync(unit) - start) / clock.Elapsed.TotalSeconds;
    }
}
