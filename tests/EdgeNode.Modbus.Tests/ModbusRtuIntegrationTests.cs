using System.Diagnostics;
using EdgeNode.Serial;
using EdgeNode.Testing;

namespace EdgeNode.Modbus.Tests;

/// <summary>A socat pty pair with a pymodbus RTU slave answering units 1–3 on one end.</summary>
public sealed class PyModbusRtuFixture : IAsyncLifetime
{
    public SocatPtyPair Pty { get; private set; } = null!;

    public PyModbusSlave Slave { get; private set; } = null!;

    public ModbusLinkSettings Link => ModbusLinkSettings.ForRtu(new SerialPortSettings { PortName = Pty.PortA, BaudRate = 115200, Parity = SerialParity.Even });

    public async Task InitializeAsync()
    {
        Pty = await SocatPtyPair.StartAsync();
        Slave = await PyModbusSlave.StartRtuAsync(Pty.PortB, new PyModbusSlaveOptions
        {
            UnitIds = [1, 2, 3],
            TableSize = 1000,
            BaudRate = 115200,
            Map = new PyModbusRegisterMap().Holding(1, 0, 11, 12, 13).Holding(2, 0, 21, 22, 23).Holding(3, 0, 31, 32, 33),
        });
    }

    public async Task DisposeAsync()
    {
        await Slave.DisposeAsync();
        await Pty.DisposeAsync();
    }
}

/// <summary>Our RTU master on a pty against pymodbus: several units sharing one line.</summary>
public sealed class ModbusRtuIntegrationTests(PyModbusRtuFixture fixture) : IClassFixture<PyModbusRtuFixture>, IAsyncLifetime
{
    private static readonly ModbusMasterOptions s_options = new() { TimeoutMs = 1000, Retries = 2 };
    private readonly TestLoggerFactory _logs = new();
    private ModbusMaster _master = null!;

    public Task InitializeAsync()
    {
        _master = ModbusMaster.Create(fixture.Link, _logs);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _master.DisposeAsync();

    [Fact]
    public async Task EveryFunctionCode_OverRtu_Works()
    {
        var unit = _master.ForUnit(3, s_options);
        Assert.Equal(new ushort[] { 31, 32, 33 }, (await unit.ReadHoldingRegistersAsync(0, 3)).Value);
        Assert.True((await unit.WriteSingleRegisterAsync(100, 0xBEEF)).IsOk);
        Assert.True((await unit.WriteMultipleRegistersAsync(101, new ushort[] { 1, 2, 3 })).IsOk);
        Assert.Equal(new ushort[] { 0xBEEF, 1, 2, 3 }, (await unit.ReadHoldingRegistersAsync(100, 4)).Value);
        Assert.True((await unit.MaskWriteRegisterAsync(100, 0x00FF, 0x1200)).IsOk);
        Assert.Equal(new ushort[] { 0x12EF }, await fixture.Slave.GetRegistersAsync(3, PyModbusTable.HoldingRegisters, 100, 1));
        var rw = await unit.ReadWriteMultipleRegistersAsync(101, 2, 102, new ushort[] { 9 });
        Assert.Equal(new ushort[] { 1, 9 }, rw.Value);
        Assert.True((await unit.WriteSingleCoilAsync(7, true)).IsOk);
        Assert.True((await unit.WriteMultipleCoilsAsync(8, new[] { true, false, true })).IsOk);
        Assert.Equal(new[] { true, true, false, true }, (await unit.ReadCoilsAsync(7, 4)).Value!);
        await fixture.Slave.SetBitsAsync(3, PyModbusTable.DiscreteInputs, 2, true, true);
        Assert.Equal(new[] { false, true, true }, (await unit.ReadDiscreteInputsAsync(1, 3)).Value!);
        await fixture.Slave.SetRegistersAsync(3, PyModbusTable.InputRegisters, 5, 555);
        Assert.Equal(new ushort[] { 555 }, (await unit.ReadInputRegistersAsync(5, 1)).Value);
    }

    [Fact]
    public async Task Completion_CallerContinuation_NeverRunsOnTheBusThread()
    {
        // Inside Task.Run there is no synchronization context: the code after each await runs on the thread our
        // completion hands back, which must never be the bus thread.
        var unit = _master.ForUnit(1, s_options);
        var reader = new ModbusPointReader(unit, ModbusReadPlan.Create(
        [
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 0 },
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 500 },
        ]));
        var seen = await Task.Run(async () =>
        {
            var threads = new List<(bool OnTransport, string? Name)>();
            for (var i = 0; i < 20; i++)
            {
                await unit.ReadHoldingRegistersAsync(0, 1);
                threads.Add((ModbusTransaction.OnTransportThread, Thread.CurrentThread.Name));
                await reader.ReadAsync();
                threads.Add((ModbusTransaction.OnTransportThread, Thread.CurrentThread.Name));
            }

            return threads;
        });
        Assert.All(seen, t =>
        {
            Assert.False(t.OnTransport);
            Assert.False((t.Name ?? "").StartsWith("modbus", StringComparison.Ordinal), t.Name);
        });
    }

    [Fact]
    public async Task Read_BeyondTable_IsIllegalDataAddress()
    {
        var result = await _master.ForUnit(1, s_options).ReadHoldingRegistersAsync(999, 2);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, result.ExceptionCode);
    }

    [Fact]
    public async Task LinkPool_TwoDevicesOnOnePort_ShareTheBusAndBothAreServed()
    {
        await using var pool = new ModbusLinkPool(_logs);
        // The fixture's own master must not hold the port: the pool opens it exclusively.
        await _master.DisposeAsync();
        await using var one = pool.Acquire(fixture.Link, 1, s_options);
        await using var two = pool.Acquire(fixture.Link, 2, s_options);
        Assert.Same(one.Master, two.Master);
        var plan = ModbusReadPlan.Create([new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 0, DataType = ModbusDataType.UInt16 }]);
        var readers = new[] { new ModbusPointReader(one, plan), new ModbusPointReader(two, plan) };
        for (var round = 0; round < 20; round++)
        {
            var outcomes = await Task.WhenAll(readers.Select(r => r.ReadAsync().AsTask()));
            Assert.All(outcomes, o => Assert.True(o.AllGood, o.ToString()));
        }

        Assert.Equal(11UL, readers[0].Results[0].Value.AsUInt64);
        Assert.Equal(21UL, readers[1].Results[0].Value.AsUInt64);
    }

    [Fact]
    public async Task DeadUnit_TimesOutThenBacksOff_OtherUnitsKeepBeingServed()
    {
        await fixture.Slave.MuteAsync(2);
        try
        {
            await fixture.Slave.ResetCountsAsync();
            var healthy = _master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 300, Retries = 2 });
            var dead = _master.ForUnit(2, new ModbusMasterOptions { TimeoutMs = 300, Retries = 2, UnitBackoffMs = 1000, UnitBackoffMaxMs = 4000 });
            var healthyOk = 0;
            var deadStatuses = new List<ModbusStatus>();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var healthyLoop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    if ((await healthy.ReadHoldingRegistersAsync(0, 1)).IsOk)
                    {
                        healthyOk++;
                    }
                }
            });
            var deadLoop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    deadStatuses.Add((await dead.ReadHoldingRegistersAsync(0, 1)).Status);
                    await Task.Delay(20);
                }
            });
            await Task.WhenAll(healthyLoop, deadLoop);

            Assert.Equal(ModbusStatus.Timeout, deadStatuses[0]);
            Assert.Contains(ModbusStatus.UnitBackedOff, deadStatuses);
            // 3 attempts, then a probe after 1 s and at most one more after 2 s: the dead unit got only a few requests.
            var deadRequests = await fixture.Slave.RequestCountAsync(2);
            Assert.InRange(deadRequests, 3, 6);
            // the healthy unit kept most of the bus (loose bound: the machine may be loaded)
            Assert.True(healthyOk > 20, $"healthy unit served only {healthyOk} times");
            Assert.True(_logs.Has(2010));
        }
        finally
        {
            await fixture.Slave.UnmuteAsync(2);
        }
    }

    [Fact]
    public async Task DeadUnitComesBack_ProbeSucceedsAndUnitRecovers()
    {
        await fixture.Slave.MuteAsync(3);
        var unit = _master.ForUnit(3, new ModbusMasterOptions { TimeoutMs = 200, Retries = 0, UnitBackoffMs = 200, UnitBackoffMaxMs = 200 });
        try
        {
            Assert.Equal(ModbusStatus.Timeout, (await unit.ReadHoldingRegistersAsync(0, 1)).Status);
            Assert.Equal(ModbusStatus.UnitBackedOff, (await unit.ReadHoldingRegistersAsync(0, 1)).Status);
        }
        finally
        {
            await fixture.Slave.UnmuteAsync(3);
        }

        await Task.Delay(300);
        Assert.True((await unit.ReadHoldingRegistersAsync(0, 1)).IsOk);
        Assert.Equal(0, _master.GetConsecutiveFailures(3));
        Assert.True(_logs.Has(2011));
    }

    [Fact]
    public async Task Broadcast_OverRtu_EveryUnitAppliesIt()
    {
        var sw = Stopwatch.StartNew();
        Assert.True((await _master.ForUnit(0, s_options).WriteSingleRegisterAsync(600, 66)).IsOk);
        // the next request waits for the broadcast turnaround (100 ms), so every slave has acted by then
        Assert.True((await _master.ForUnit(1, s_options).ReadHoldingRegistersAsync(600, 1)).Value![0] == 66);
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(90));
        Assert.Equal(new ushort[] { 66 }, await fixture.Slave.GetRegistersAsync(2, PyModbusTable.HoldingRegisters, 600, 1));
    }

    [Fact]
    public void BroadcastRead_IsRefused() =>
        Assert.Throws<InvalidOperationException>(() => _master.ForUnit(0).ReadHoldingRegistersAsync(0, 1).AsTask().GetAwaiter().GetResult());

    [Fact]
    public async Task MissingPort_IsCommunicationErrorNamingTheDevice()
    {
        var path = Path.Combine(Path.GetTempPath(), "edgenode-missing-tty");
        await using var master = ModbusMaster.Create(ModbusLinkSettings.ForRtu(new SerialPortSettings { PortName = path }), _logs);
        var result = await master.ForUnit(1, new ModbusMasterOptions { Retries = 0 }).ReadHoldingRegistersAsync(0, 1);
        Assert.Equal(ModbusStatus.CommunicationError, result.Status);
        Assert.Contains(path, result.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
        Assert.True(_logs.Has(2001));
    }
}

/// <summary>RTU through a relay that corrupts, drops, pads or echoes frames between the master and pymodbus.</summary>
public sealed class ModbusRtuFaultIntegrationTests : IAsyncLifetime
{
    private readonly TestLoggerFactory _logs = new();
    private SocatRelay _relay = null!;
    private PyModbusSlave _slave = null!;
    private ModbusMaster _master = null!;

    public async Task InitializeAsync()
    {
        _relay = await SocatRelay.StartAsync();
        _slave = await PyModbusSlave.StartRtuAsync(_relay.SlavePort, new PyModbusSlaveOptions
        {
            UnitIds = [1, 2],
            TableSize = 100,
            Map = new PyModbusRegisterMap().Holding(1, 0, 0x1111, 0x2222),
        });
        _master = ModbusMaster.Create(ModbusLinkSettings.ForRtu(new SerialPortSettings { PortName = _relay.MasterPort, BaudRate = 38400 }), _logs);
    }

    public async Task DisposeAsync()
    {
        await _master.DisposeAsync();
        await _slave.DisposeAsync();
        await _relay.DisposeAsync();
    }

    [Fact]
    public async Task CorruptResponse_IsRetriedAndSucceeds()
    {
        var unit = _master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 1000, Retries = 2 });
        Assert.True((await unit.ReadHoldingRegistersAsync(0, 2)).IsOk); // line is up
        await _slave.ResetCountsAsync();
        _relay.CorruptNextResponses(1);
        var result = await unit.ReadHoldingRegistersAsync(0, 2);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(new ushort[] { 0x1111, 0x2222 }, result.Value);
        Assert.Equal(1, _relay.Corrupted);
        Assert.Equal(2, await _slave.RequestCountAsync(1, 3));
        var stats = _master.Statistics;
        Assert.Equal(1, stats.InvalidResponses);
        Assert.Equal(1, stats.Retries);
        Assert.Equal(2, stats.Succeeded);
        Assert.True(stats.DiscardedBytes >= 9, stats.ToString()); // the corrupt 9-byte frame
    }

    [Fact]
    public async Task EveryResponseCorrupt_IsInvalidResponseWithoutWaitingOutTheTimeout()
    {
        var unit = _master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 5000, Retries = 1 });
        Assert.True((await unit.ReadHoldingRegistersAsync(0, 2)).IsOk);
        _relay.CorruptNextResponses(2);
        var sw = Stopwatch.StartNew();
        var result = await unit.ReadHoldingRegistersAsync(0, 2);
        sw.Stop();
        Assert.Equal(ModbusStatus.InvalidResponse, result.Status);
        Assert.Contains("CRC", result.Error, StringComparison.Ordinal);
        // a corrupt frame followed by silence ends the attempt after the inter-character timeout, not the 5 s timeout
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task NoiseBeforeResponse_IsSkipped()
    {
        var unit = _master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 1000, Retries = 0 });
        _relay.InjectBeforeNextResponse([0x00, 0xFF, 0x01, 0x7E]);
        var result = await unit.ReadHoldingRegistersAsync(0, 2);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(new ushort[] { 0x1111, 0x2222 }, result.Value);
    }

    [Fact]
    public async Task DroppedResponse_TimesOutThenRetrySucceeds()
    {
        var unit = _master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 300, Retries = 1 });
        _relay.DropNextResponses(1);
        var result = await unit.ReadHoldingRegistersAsync(0, 2);
        Assert.True(result.IsOk, result.ToString());
    }

    [Fact]
    public async Task FrameStallingBeyondInterCharacterTimeout_IsDiscardedAndRetried()
    {
        await using var master = ModbusMaster.Create(
            ModbusLinkSettings.ForRtu(new SerialPortSettings { PortName = _relay.MasterPort, BaudRate = 38400 }) with { InterCharTimeoutMs = 40 }, _logs);
        var unit = master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 800, Retries = 1 });
        await _master.DisposeAsync(); // one master on the port at a time
        Assert.True((await unit.ReadHoldingRegistersAsync(0, 2)).IsOk);
        await _slave.ResetCountsAsync();
        _relay.SplitNextResponse(300);
        var result = await unit.ReadHoldingRegistersAsync(0, 2);
        Assert.True(result.IsOk, result.ToString());
        // the first half was cut off after 40 ms of silence and dropped; the retry got a whole frame
        Assert.Equal(2, await _slave.RequestCountAsync(1, 3));
        Assert.True(master.Statistics.DiscardedBytes > 0);
    }

    [Fact]
    public async Task FramePausingWithinInterCharacterTimeout_IsAccepted()
    {
        await using var master = ModbusMaster.Create(
            ModbusLinkSettings.ForRtu(new SerialPortSettings { PortName = _relay.MasterPort, BaudRate = 38400 }) with { InterCharTimeoutMs = 500 }, _logs);
        await _master.DisposeAsync();
        var unit = master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 2000, Retries = 0 });
        _relay.SplitNextResponse(50);
        var result = await unit.ReadHoldingRegistersAsync(0, 2);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(new ushort[] { 0x1111, 0x2222 }, result.Value);
    }

    [Fact]
    public async Task SlowUnit_WithinTimeout_Answers()
    {
        await _slave.DelayAsync(1, 300);
        try
        {
            var result = await _master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 2000, Retries = 0 }).ReadHoldingRegistersAsync(0, 1);
            Assert.True(result.IsOk, result.ToString());
        }
        finally
        {
            await _slave.DelayAsync(1, 0);
        }
    }

    [Fact]
    public async Task EchoingAdapter_EchoIsLearnedAndSkipped()
    {
        _relay.EchoRequests = true;
        var unit = _master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 1000, Retries = 0 });
        Assert.Equal(new ushort[] { 0x1111, 0x2222 }, (await unit.ReadHoldingRegistersAsync(0, 2)).Value);
        Assert.True(_logs.Has(2020));
        // FC 06's response equals its request: once the echo is known, the copy is skipped and the real answer awaited
        Assert.True((await unit.WriteSingleRegisterAsync(5, 55)).IsOk);
        Assert.Equal(new ushort[] { 55 }, (await unit.ReadHoldingRegistersAsync(5, 1)).Value);
        Assert.Equal(new ushort[] { 55 }, await _slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 5, 1));
    }
}

/// <summary>RTU frames over TCP (a serial device server) against pymodbus' RTU framer on a TCP port.</summary>
public sealed class ModbusRtuOverTcpIntegrationTests : IAsyncLifetime
{
    private PyModbusSlave _slave = null!;

    public async Task InitializeAsync() =>
        _slave = await PyModbusSlave.StartRtuOverTcpAsync(new PyModbusSlaveOptions
        {
            UnitIds = [1, 5],
            Map = new PyModbusRegisterMap().Holding(5, 10, 1, 2, 3),
        });

    public async Task DisposeAsync() => await _slave.DisposeAsync();

    [Fact]
    public async Task ReadWrite_RtuOverTcp_Works()
    {
        await using var master = ModbusMaster.Create(ModbusLinkSettings.ForRtuOverTcp("127.0.0.1", _slave.Port));
        var unit = master.ForUnit(5, new ModbusMasterOptions { TimeoutMs = 1000 });
        Assert.Equal(new ushort[] { 1, 2, 3 }, (await unit.ReadHoldingRegistersAsync(10, 3)).Value);
        Assert.True((await unit.WriteMultipleRegistersAsync(20, new ushort[] { 7, 8 })).IsOk);
        Assert.Equal(new ushort[] { 7, 8 }, await _slave.GetRegistersAsync(5, PyModbusTable.HoldingRegisters, 20, 2));
        Assert.True(master.IsSerialized);
    }

    [Fact]
    public async Task Reconnect_AfterDeviceServerRestart_ReadsAgain()
    {
        await using var master = ModbusMaster.Create(ModbusLinkSettings.ForRtuOverTcp("127.0.0.1", _slave.Port) with { ReconnectDelayMs = 100 });
        var unit = master.ForUnit(5, new ModbusMasterOptions { TimeoutMs = 500, Retries = 0, UnitBackoffMs = 0 });
        Assert.True((await unit.ReadHoldingRegistersAsync(10, 1)).IsOk);
        await _slave.StopAsync();
        Assert.NotEqual(ModbusStatus.Ok, (await unit.ReadHoldingRegistersAsync(10, 1)).Status);
        await _slave.StartAgainAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        ModbusResult<ushort[]> result;
        do
        {
            await Task.Delay(100);
            result = await unit.ReadHoldingRegistersAsync(10, 1);
        }
        while (!result.IsOk && DateTime.UtcNow < deadline);

        Assert.True(result.IsOk, result.ToString());
    }
}
