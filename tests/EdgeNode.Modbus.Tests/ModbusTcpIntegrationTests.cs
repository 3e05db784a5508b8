using System.Diagnostics;
using EdgeNode.Testing;

namespace EdgeNode.Modbus.Tests;

/// <summary>One pymodbus TCP slave with units 1–3 shared by the tests of <see cref="ModbusTcpIntegrationTests"/>.</summary>
public sealed class PyModbusTcpFixture : IAsyncLifetime
{
    public PyModbusSlave Slave { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Slave = await PyModbusSlave.StartTcpAsync(new PyModbusSlaveOptions
        {
            UnitIds = [1, 2, 3],
            TableSize = 2000,
            Map = new PyModbusRegisterMap()
                .Holding(1, 0, 0x022B, 0x0000, 0x0064)
                .Input(1, 8, 0x000A)
                .Coils(1, 19, true, false, true, true, false, false, true, true)
                .Discrete(1, 196, false, false, true, true, false, true, false, true)
                .Sparse(3, PyModbusTable.HoldingRegisters, 0, 1, 2)
                .Sparse(3, PyModbusTable.HoldingRegisters, 10, 11, 12),
        });

    public async Task DisposeAsync() => await Slave.DisposeAsync();
}

/// <summary>Our master against an independent slave (Debian's pymodbus) over Modbus TCP.</summary>
public sealed class ModbusTcpIntegrationTests(PyModbusTcpFixture fixture) : IClassFixture<PyModbusTcpFixture>, IAsyncLifetime
{
    private static readonly ModbusMasterOptions s_fast = new() { TimeoutMs = 1000, Retries = 1, UnitBackoffMs = 1000 };
    private readonly TestLoggerFactory _logs = new();
    private ModbusMaster _master = null!;

    private PyModbusSlave Slave => fixture.Slave;

    public Task InitializeAsync()
    {
        _master = ModbusMaster.Create(ModbusLinkSettings.ForTcp("127.0.0.1", Slave.Port), _logs);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _master.DisposeAsync();

    [Fact]
    public async Task ReadHoldingRegisters_SpecExampleValues_AreRead()
    {
        var result = await _master.ForUnit(1, s_fast).ReadHoldingRegistersAsync(0, 3);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(new ushort[] { 0x022B, 0, 0x64 }, result.Value);
    }

    [Fact]
    public async Task ReadInputRegisters_Value_IsRead()
    {
        var result = await _master.ForUnit(1, s_fast).ReadInputRegistersAsync(8, 1);
        Assert.Equal(new ushort[] { 10 }, result.Value);
    }

    [Fact]
    public async Task ReadCoilsAndDiscreteInputs_Bits_AreRead()
    {
        var unit = _master.ForUnit(1, s_fast);
        var coils = await unit.ReadCoilsAsync(19, 8);
        Assert.Equal(new[] { true, false, true, true, false, false, true, true }, coils.Value!);
        var inputs = await unit.ReadDiscreteInputsAsync(196, 8);
        Assert.Equal(new[] { false, false, true, true, false, true, false, true }, inputs.Value!);
    }

    [Fact]
    public async Task WriteSingleCoil_On_SlaveHasIt()
    {
        Assert.True((await _master.ForUnit(2, s_fast).WriteSingleCoilAsync(172, true)).IsOk);
        Assert.Equal(new[] { true }, await Slave.GetBitsAsync(2, PyModbusTable.Coils, 172, 1));
    }

    [Fact]
    public async Task WriteSingleRegister_Value_SlaveHasIt()
    {
        Assert.True((await _master.ForUnit(2, s_fast).WriteSingleRegisterAsync(1, 3)).IsOk);
        Assert.Equal(new ushort[] { 3 }, await Slave.GetRegistersAsync(2, PyModbusTable.HoldingRegisters, 1, 1));
    }

    [Fact]
    public async Task WriteMultipleCoils_Pattern_SlaveHasIt()
    {
        var pattern = new[] { true, false, true, true, false, false, true, true, true, false };
        Assert.True((await _master.ForUnit(2, s_fast).WriteMultipleCoilsAsync(20, pattern)).IsOk);
        Assert.Equal(pattern, await Slave.GetBitsAsync(2, PyModbusTable.Coils, 20, 10));
    }

    [Fact]
    public async Task WriteMultipleRegisters_Values_SlaveHasThem()
    {
        Assert.True((await _master.ForUnit(2, s_fast).WriteMultipleRegistersAsync(100, new ushort[] { 0x000A, 0x0102, 0xFFFF })).IsOk);
        Assert.Equal(new ushort[] { 0x000A, 0x0102, 0xFFFF }, await Slave.GetRegistersAsync(2, PyModbusTable.HoldingRegisters, 100, 3));
    }

    [Fact]
    public async Task MaskWriteRegister_SpecExample_GivesSpecResult()
    {
        // §6.16: current 0x12, AND 0xF2, OR 0x25 → 0x17.
        await Slave.SetRegistersAsync(2, PyModbusTable.HoldingRegisters, 4, 0x12);
        Assert.True((await _master.ForUnit(2, s_fast).MaskWriteRegisterAsync(4, 0xF2, 0x25)).IsOk);
        Assert.Equal(new ushort[] { 0x17 }, await Slave.GetRegistersAsync(2, PyModbusTable.HoldingRegisters, 4, 1));
    }

    [Fact]
    public async Task ReadWriteMultipleRegisters_WriteThenRead_ReturnsWrittenValues()
    {
        var result = await _master.ForUnit(2, s_fast).ReadWriteMultipleRegistersAsync(300, 4, 301, new ushort[] { 7, 8 });
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(new ushort[] { 0, 7, 8, 0 }, result.Value);
    }

    [Fact]
    public async Task Read_BeyondTable_IsIllegalDataAddressAndUnitStaysHealthy()
    {
        var unit = _master.ForUnit(1, s_fast);
        var result = await unit.ReadHoldingRegistersAsync(1999, 2);
        Assert.Equal(ModbusStatus.Exception, result.Status);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, result.ExceptionCode);
        Assert.True(result.WithoutValue.DeviceResponded);
        Assert.Equal(0, _master.GetConsecutiveFailures(1));
        Assert.True((await unit.ReadHoldingRegistersAsync(0, 1)).IsOk);
    }

    [Fact]
    public async Task Read_UnitNobodyAnswers_TimesOutThenBacksOffWhileOthersWork()
    {
        var ghost = _master.ForUnit(9, new ModbusMasterOptions { TimeoutMs = 300, Retries = 1, UnitBackoffMs = 60_000, UnitBackoffMaxMs = 60_000 });
        var first = await ghost.ReadHoldingRegistersAsync(0, 1);
        Assert.Equal(ModbusStatus.Timeout, first.Status);
        var sw = Stopwatch.StartNew();
        var second = await ghost.ReadHoldingRegistersAsync(0, 1);
        Assert.Equal(ModbusStatus.UnitBackedOff, second.Status);
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(250), "a backed-off unit must not wait for the bus");
        Assert.True((await _master.ForUnit(1, s_fast).ReadHoldingRegistersAsync(0, 1)).IsOk);
        Assert.True(_logs.Has(2010));
    }

    [Fact]
    public async Task Read_UnitBusyTwice_IsResentAndSucceeds()
    {
        await Slave.ResetCountsAsync();
        await Slave.BusyAsync(2, 2);
        var unit = _master.ForUnit(2, new ModbusMasterOptions { Retries = 3, BusyRetryDelayMs = 20 });
        var result = await unit.ReadHoldingRegistersAsync(0, 1);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(3, await Slave.RequestCountAsync(2, 3));
    }

    [Fact]
    public async Task Read_UnitBusyBeyondRetries_IsBusyException()
    {
        await Slave.BusyAsync(2, 5);
        var result = await _master.ForUnit(2, new ModbusMasterOptions { Retries = 1, BusyRetryDelayMs = 10 }).ReadHoldingRegistersAsync(0, 1);
        Assert.Equal(ModbusExceptionCode.SlaveDeviceBusy, result.ExceptionCode);
        await Slave.BusyAsync(2, 0);
    }

    [Fact]
    public async Task Read_UnitAcknowledges_WaitsForRealResponseWithoutResending()
    {
        await Slave.SetRegistersAsync(2, PyModbusTable.HoldingRegisters, 50, 4242);
        await Slave.ResetCountsAsync();
        await Slave.AcknowledgeAsync(2, 1, 300);
        var result = await _master.ForUnit(2, s_fast).ReadHoldingRegistersAsync(50, 1);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(new ushort[] { 4242 }, result.Value);
        Assert.Equal(1, await Slave.RequestCountAsync(2, 3));
    }

    [Fact]
    public async Task Write_BroadcastUnitZero_ReachesEveryUnitWithoutResponse()
    {
        var result = await _master.ForUnit(0, s_fast).WriteSingleRegisterAsync(700, 77);
        Assert.True(result.IsOk, result.ToString());
        // Ok means "sent": the slave applies it when it reads it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await Slave.GetRegistersAsync(2, PyModbusTable.HoldingRegisters, 700, 1))[0] != 77 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(new ushort[] { 77 }, await Slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 700, 1));
        Assert.Equal(new ushort[] { 77 }, await Slave.GetRegistersAsync(2, PyModbusTable.HoldingRegisters, 700, 1));
    }

    [Fact]
    public async Task Read_ManyInFlight_EveryResponseMatchesItsRequest()
    {
        await using var pipelined = ModbusMaster.Create(ModbusLinkSettings.ForTcp("127.0.0.1", Slave.Port) with { MaxInFlight = 8 });
        var values = Enumerable.Range(0, 64).Select(i => (ushort)(1000 + i)).ToArray();
        await Slave.SetRegistersAsync(2, PyModbusTable.HoldingRegisters, 1000, values);
        var unit = pipelined.ForUnit(2, s_fast);
        var reads = Enumerable.Range(0, 64).Select(i => unit.ReadHoldingRegistersAsync((ushort)(1000 + i), 1).AsTask()).ToArray();
        var results = await Task.WhenAll(reads);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(values[i], results[i].Value![0]);
        }
    }

    [Fact]
    public async Task PointReader_CoalescedPlan_SlaveSeesOneRequestPerBlock()
    {
        var points = new[]
        {
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 1200, DataType = ModbusDataType.Float32 },
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 1210, DataType = ModbusDataType.UInt16 },
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 1300, DataType = ModbusDataType.UInt16 },
            new ModbusPoint { Table = ModbusTable.Coil, Address = 5, DataType = ModbusDataType.Bool },
            new ModbusPoint { Table = ModbusTable.Coil, Address = 9, DataType = ModbusDataType.Bool },
        };
        var plan = ModbusReadPlan.Create(points, new ModbusPlanOptions { MaxGap = 10 });
        Assert.Equal(3, plan.Blocks.Count); // coils 5–9, holding 1200–1210, holding 1300
        var reader = new ModbusPointReader(_master.ForUnit(2, s_fast), plan);
        await Slave.ResetCountsAsync();
        var outcome = await reader.ReadAsync();
        Assert.True(outcome.AllGood, outcome.ToString());
        Assert.Equal(3, await Slave.RequestCountAsync(2));
        Assert.Equal(2, await Slave.RequestCountAsync(2, 3));

        var separate = new ModbusPointReader(_master.ForUnit(2, s_fast), ModbusReadPlan.Create(points, new ModbusPlanOptions { Coalesce = false }));
        await Slave.ResetCountsAsync();
        Assert.True((await separate.ReadAsync()).AllGood);
        Assert.Equal(5, await Slave.RequestCountAsync(2));
    }

    [Fact]
    public async Task PointReader_SparseDevice_CoalescedReadFailsButUncoalescedWorks()
    {
        var points = new[]
        {
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 0, DataType = ModbusDataType.UInt16 },
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 11, DataType = ModbusDataType.UInt16 },
        };
        var coalesced = new ModbusPointReader(_master.ForUnit(3, s_fast), ModbusReadPlan.Create(points));
        var outcome = await coalesced.ReadAsync();
        // Reading 0..11 crosses unmapped registers: the device answers exception 02 — alive, points bad.
        Assert.False(outcome.IsDeviceDead);
        Assert.Equal(ModbusStatus.Exception, outcome.FailureStatus);
        Assert.All(coalesced.Results, r => Assert.Equal(ModbusExceptionCode.IllegalDataAddress, r.ExceptionCode));

        var separate = new ModbusPointReader(_master.ForUnit(3, s_fast), ModbusReadPlan.Create(points, new ModbusPlanOptions { Coalesce = false }));
        Assert.True((await separate.ReadAsync()).AllGood);
        Assert.Equal(1L, (long)separate.Results[0].Value.AsUInt64);
        Assert.Equal(12UL, separate.Results[1].Value.AsUInt64);
    }

    [Fact]
    public async Task PointReader_OneBlockException_OtherPointsGoodDeviceAlive()
    {
        var points = new[]
        {
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 0, DataType = ModbusDataType.UInt16 },
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 1999, DataType = ModbusDataType.UInt32 },
        };
        var reader = new ModbusPointReader(_master.ForUnit(1, s_fast), ModbusReadPlan.Create(points));
        var outcome = await reader.ReadAsync();
        Assert.False(outcome.IsDeviceDead);
        Assert.Equal(1, outcome.Succeeded);
        Assert.True(reader.Results[0].IsGood);
        Assert.Equal(ModbusStatus.Exception, reader.Results[1].Status);
    }

    [Fact]
    public async Task PointReader_DeadUnit_OutcomeIsDeviceDead()
    {
        var reader = new ModbusPointReader(_master.ForUnit(8, new ModbusMasterOptions { TimeoutMs = 200, Retries = 0 }),
            ModbusReadPlan.Create([new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 0 }, new ModbusPoint { Table = ModbusTable.Coil, Address = 0, DataType = ModbusDataType.Bool }]));
        var outcome = await reader.ReadAsync();
        Assert.True(outcome.IsDeviceDead);
        Assert.Equal(ModbusStatus.Timeout, outcome.FailureStatus);
        // blocks go by table: the coil block (point 1) timed out, the holding block (point 0) was skipped by the back-off
        Assert.Equal(ModbusStatus.Timeout, reader.Results[1].Status);
        Assert.Equal(ModbusStatus.UnitBackedOff, reader.Results[0].Status);
    }

    [Fact]
    public async Task Reconnect_AfterSlaveRestart_ReadsAgain()
    {
        await using var slave = await PyModbusSlave.StartTcpAsync(new PyModbusSlaveOptions { Map = new PyModbusRegisterMap().Holding(1, 0, 123) });
        await using var master = ModbusMaster.Create(ModbusLinkSettings.ForTcp("127.0.0.1", slave.Port) with { ReconnectDelayMs = 100, ReconnectDelayMaxMs = 400 }, _logs);
        var unit = master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 500, Retries = 0, UnitBackoffMs = 0 });
        Assert.True((await unit.ReadHoldingRegistersAsync(0, 1)).IsOk);

        await slave.StopAsync();
        var down = await unit.ReadHoldingRegistersAsync(0, 1);
        Assert.Equal(ModbusStatus.CommunicationError, down.Status);
        Assert.Contains($"127.0.0.1:{slave.Port}", down.Error, StringComparison.Ordinal);

        await slave.StartAgainAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        ModbusResult<ushort[]> up;
        do
        {
            await Task.Delay(100);
            up = await unit.ReadHoldingRegistersAsync(0, 1);
        }
        while (!up.IsOk && DateTime.UtcNow < deadline);

        Assert.True(up.IsOk, up.ToString());
        Assert.Equal(new ushort[] { 123 }, up.Value);
        Assert.Equal(2, master.Statistics.Connections);
        Assert.True(master.Statistics.CommunicationErrors >= 1);
        Assert.True(_logs.Has(2002) || _logs.Has(2001)); // the loss was logged
    }

    [Fact]
    public async Task Reconnect_ConnectionDroppedBySlave_NextRequestRetriesOnNewConnection()
    {
        var unit = _master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 1000, Retries = 2 });
        Assert.True((await unit.ReadHoldingRegistersAsync(0, 1)).IsOk);
        Assert.True(await Slave.DropConnectionsAsync() >= 1);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        ModbusResult<ushort[]> again;
        do
        {
            again = await unit.ReadHoldingRegistersAsync(0, 1);
        }
        while (!again.IsOk && DateTime.UtcNow < deadline);

        Assert.True(again.IsOk, again.ToString());
    }

    [Fact]
    public async Task FrozenSlave_TimesOutThenRecoversAfterThaw()
    {
        await using var slave = await PyModbusSlave.StartTcpAsync();
        await using var master = ModbusMaster.Create(ModbusLinkSettings.ForTcp("127.0.0.1", slave.Port) with { ReconnectDelayMs = 100 });
        var unit = master.ForUnit(1, new ModbusMasterOptions { TimeoutMs = 300, Retries = 0, UnitBackoffMs = 0 });
        Assert.True((await unit.ReadHoldingRegistersAsync(0, 1)).IsOk);
        slave.Process.Freeze();
        try
        {
            Assert.Equal(ModbusStatus.Timeout, (await unit.ReadHoldingRegistersAsync(0, 1)).Status);
        }
        finally
        {
            slave.Process.Thaw();
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        ModbusResult<ushort[]> again;
        do
        {
            again = await unit.ReadHoldingRegistersAsync(0, 1);
        }
        while (!again.IsOk && DateTime.UtcNow < deadline);

        Assert.True(again.IsOk, again.ToString());
    }

    [Fact]
    public async Task Read_Cancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await _master.ForUnit(1, s_fast).ReadHoldingRegistersAsync(0, 1, cts.Token));
    }
}
