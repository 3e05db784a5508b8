using EdgeNode.Testing;

namespace EdgeNode.Modbus.Tests;

/// <summary>
/// Every data type and byte order through the point reader and writer against pymodbus: the register images are
/// written out by hand here (not computed by our codec), set in the slave, read back as values; writes go the other
/// way and the slave's registers are compared with the same images.
/// </summary>
public sealed class ModbusPointIntegrationTests(PyModbusTcpFixture fixture) : IClassFixture<PyModbusTcpFixture>, IAsyncLifetime
{
    private const byte Unit = 2;
    private ModbusMaster _master = null!;

    public Task InitializeAsync()
    {
        _master = ModbusMaster.Create(ModbusLinkSettings.ForTcp("127.0.0.1", fixture.Slave.Port) with { MaxInFlight = 4 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _master.DisposeAsync();

    public sealed record Case(string Name, ModbusPoint Point, ushort[] Registers, ModbusValue Expected);

    private static ModbusPoint H(int address, ModbusDataType type, ModbusByteOrder order = ModbusByteOrder.ABCD) =>
        new() { Table = ModbusTable.HoldingRegister, Address = address, DataType = type, Order = order };

    /// <summary>Register images by the contract's rules: A = most significant byte.</summary>
    public static IReadOnlyList<Case> Cases { get; } =
    [
        new("int16", H(500, ModbusDataType.Int16), [0xFF9C], -100L),
        new("int16 BADC", H(501, ModbusDataType.Int16, ModbusByteOrder.BADC), [0x9CFF], -100L),
        new("uint16", H(502, ModbusDataType.UInt16), [0xFFFF], 65535UL),
        new("int32 ABCD", H(504, ModbusDataType.Int32), [0xFFFE, 0x7960], -100000L),
        new("int32 CDAB", H(506, ModbusDataType.Int32, ModbusByteOrder.CDAB), [0x7960, 0xFFFE], -100000L),
        new("int32 BADC", H(508, ModbusDataType.Int32, ModbusByteOrder.BADC), [0xFEFF, 0x6079], -100000L),
        new("int32 DCBA", H(510, ModbusDataType.Int32, ModbusByteOrder.DCBA), [0x6079, 0xFEFF], -100000L),
        new("uint32 ABCD", H(512, ModbusDataType.UInt32), [0x1234, 0x5678], 0x12345678UL),
        new("uint32 CDAB", H(514, ModbusDataType.UInt32, ModbusByteOrder.CDAB), [0x5678, 0x1234], 0x12345678UL),
        new("uint32 BADC", H(516, ModbusDataType.UInt32, ModbusByteOrder.BADC), [0x3412, 0x7856], 0x12345678UL),
        new("uint32 DCBA", H(518, ModbusDataType.UInt32, ModbusByteOrder.DCBA), [0x7856, 0x3412], 0x12345678UL),
        new("float32 ABCD", H(520, ModbusDataType.Float32), [0x42F6, 0xE979], (double)123.456f),
        new("float32 CDAB", H(522, ModbusDataType.Float32, ModbusByteOrder.CDAB), [0xE979, 0x42F6], (double)123.456f),
        new("float32 BADC", H(524, ModbusDataType.Float32, ModbusByteOrder.BADC), [0xF642, 0x79E9], (double)123.456f),
        new("float32 DCBA", H(526, ModbusDataType.Float32, ModbusByteOrder.DCBA), [0x79E9, 0xF642], (double)123.456f),
        new("int64 ABCD", H(530, ModbusDataType.Int64), [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE], -2L),
        new("int64 CDAB", H(534, ModbusDataType.Int64, ModbusByteOrder.CDAB), [0xFFFE, 0xFFFF, 0xFFFF, 0xFFFF], -2L),
        new("int64 BADC", H(538, ModbusDataType.Int64, ModbusByteOrder.BADC), [0xFFFF, 0xFFFF, 0xFFFF, 0xFEFF], -2L),
        new("int64 DCBA", H(542, ModbusDataType.Int64, ModbusByteOrder.DCBA), [0xFEFF, 0xFFFF, 0xFFFF, 0xFFFF], -2L),
        new("uint64 ABCD", H(546, ModbusDataType.UInt64), [0x0102, 0x0304, 0x0506, 0x0708], 0x0102030405060708UL),
        new("uint64 CDAB", H(550, ModbusDataType.UInt64, ModbusByteOrder.CDAB), [0x0708, 0x0506, 0x0304, 0x0102], 0x0102030405060708UL),
        new("uint64 BADC", H(554, ModbusDataType.UInt64, ModbusByteOrder.BADC), [0x0201, 0x0403, 0x0605, 0x0807], 0x0102030405060708UL),
        new("uint64 DCBA", H(558, ModbusDataType.UInt64, ModbusByteOrder.DCBA), [0x0807, 0x0605, 0x0403, 0x0201], 0x0102030405060708UL),
        new("float64 ABCD", H(562, ModbusDataType.Float64), [0x3FF8, 0, 0, 0], 1.5),
        new("float64 CDAB", H(566, ModbusDataType.Float64, ModbusByteOrder.CDAB), [0, 0, 0, 0x3FF8], 1.5),
        new("float64 BADC", H(570, ModbusDataType.Float64, ModbusByteOrder.BADC), [0xF83F, 0, 0, 0], 1.5),
        new("float64 DCBA", H(574, ModbusDataType.Float64, ModbusByteOrder.DCBA), [0, 0, 0, 0xF83F], 1.5),
        new("string", H(580, ModbusDataType.String) with { Length = 4 }, [0x4845, 0x4C4C, 0x4F00, 0x0000], "HELLO"),
        new("string BADC", H(584, ModbusDataType.String, ModbusByteOrder.BADC) with { Length = 4 }, [0x4548, 0x4C4C, 0x004F, 0x0000], "HELLO"),
        new("bool bit 4", H(590, ModbusDataType.Bool) with { Bit = 4 }, [0x0010], true),
        new("scaled int16", H(591, ModbusDataType.Int16) with { Scale = 0.1, Offset = -40 }, [0xFFF6], -41.0),
        new("scaled uint32 CDAB", H(592, ModbusDataType.UInt32, ModbusByteOrder.CDAB) with { Scale = 0.01 }, [0x86A0, 0x0001], 1000.0),
    ];

    [Fact]
    public async Task PointReader_EveryTypeAndOrder_DecodesHandMadeRegisterImages()
    {
        foreach (var c in Cases)
        {
            await fixture.Slave.SetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, c.Point.Address, c.Registers);
        }

        await fixture.Slave.SetRegistersAsync(Unit, PyModbusTable.InputRegisters, 40, 0x4049, 0x0FDB); // float32 3.14159274
        await fixture.Slave.SetBitsAsync(Unit, PyModbusTable.Coils, 3, true);
        await fixture.Slave.SetBitsAsync(Unit, PyModbusTable.DiscreteInputs, 7, true);
        var points = Cases.Select(c => c.Point).Concat(
        [
            new ModbusPoint { Table = ModbusTable.InputRegister, Address = 40, DataType = ModbusDataType.Float32 },
            new ModbusPoint { Table = ModbusTable.Coil, Address = 3, DataType = ModbusDataType.Bool },
            new ModbusPoint { Table = ModbusTable.DiscreteInput, Address = 7, DataType = ModbusDataType.Bool },
        ]).ToList();
        var plan = ModbusReadPlan.Create(points);
        Assert.Equal(4, plan.Blocks.Count); // holding 500–593 in one read, input, coil, discrete
        var reader = new ModbusPointReader(_master.ForUnit(Unit), plan);
        var outcome = await reader.ReadAsync();
        Assert.True(outcome.AllGood, outcome.ToString());
        for (var i = 0; i < Cases.Count; i++)
        {
            var actual = reader.Results[i].Value;
            if (Cases[i].Expected.Kind == ModbusValueKind.Double)
            {
                Assert.True(actual.Kind == ModbusValueKind.Double, Cases[i].Name);
                Assert.True(Math.Abs(Cases[i].Expected.AsDouble - actual.AsDouble) < 1e-9, $"{Cases[i].Name}: {actual}");
            }
            else
            {
                Assert.True(Cases[i].Expected == actual, $"{Cases[i].Name}: expected {Cases[i].Expected}, got {actual.Kind} {actual}");
            }
        }

        Assert.Equal((double)3.14159274f, reader.Results[Cases.Count].Value.AsDouble);
        Assert.True(reader.Results[Cases.Count + 1].Value.AsBool);
        Assert.True(reader.Results[Cases.Count + 2].Value.AsBool);
    }

    [Fact]
    public async Task PointReader_ContinueOnTcpReader_ReadsWhatTheDefaultReaderReads()
    {
        foreach (var c in Cases)
        {
            await fixture.Slave.SetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, c.Point.Address, c.Registers);
        }

        // Two blocks (the holding range and an input range): the first goes alone, the second completes on the reader.
        var points = Cases.Select(c => c.Point)
            .Append(new ModbusPoint { Table = ModbusTable.InputRegister, Address = 40, DataType = ModbusDataType.Float32 }).ToList();
        var plan = ModbusReadPlan.Create(points);
        var inline = new ModbusPointReader(_master.ForUnit(Unit), plan) { ContinueOnTcpReader = true };
        var pooled = new ModbusPointReader(_master.ForUnit(Unit), plan);
        for (var round = 0; round < 3; round++)
        {
            var a = await inline.ReadAsync();
            var b = await pooled.ReadAsync();
            Assert.True(a.AllGood, a.ToString());
            Assert.Equal(b, a);
            Assert.Equal(pooled.Results, inline.Results);
        }
    }

    [Fact]
    public async Task PointWriter_EveryTypeAndOrder_WritesHandMadeRegisterImages()
    {
        var writer = new ModbusPointWriter(_master.ForUnit(Unit));
        foreach (var c in Cases.Where(c => c.Point.DataType != ModbusDataType.Bool))
        {
            var moved = c.Point with { Address = c.Point.Address + 1000 };
            var result = await writer.WriteAsync(moved, c.Expected);
            Assert.True(result.IsOk, $"{c.Name}: {result}");
            var registers = await fixture.Slave.GetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, moved.Address, c.Registers.Length);
            Assert.True(c.Registers.SequenceEqual(registers), $"{c.Name}: expected {string.Join(",", c.Registers.Select(r => r.ToString("X4")))}, got {string.Join(",", registers.Select(r => r.ToString("X4")))}");
        }
    }

    [Fact]
    public async Task PointWriter_BitOfRegister_ReadModifyWriteKeepsOtherBits()
    {
        await fixture.Slave.SetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, 800, 0x0101);
        var writer = new ModbusPointWriter(_master.ForUnit(Unit));
        var bit4 = H(800, ModbusDataType.Bool) with { Bit = 4 };
        Assert.True((await writer.WriteAsync(bit4, true)).IsOk);
        Assert.Equal(new ushort[] { 0x0111 }, await fixture.Slave.GetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, 800, 1));
        Assert.True((await writer.WriteAsync(bit4 with { Bit = 0 }, false)).IsOk);
        Assert.Equal(new ushort[] { 0x0110 }, await fixture.Slave.GetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, 800, 1));
    }

    [Fact]
    public async Task PointWriter_BitOfRegisterByMaskWrite_KeepsOtherBits()
    {
        await fixture.Slave.SetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, 801, 0x8001);
        var writer = new ModbusPointWriter(_master.ForUnit(Unit), new ModbusWriteOptions { BitWrite = ModbusBitWriteMode.MaskWrite });
        Assert.True((await writer.WriteAsync(H(801, ModbusDataType.Bool) with { Bit = 2 }, true)).IsOk);
        Assert.Equal(new ushort[] { 0x8005 }, await fixture.Slave.GetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, 801, 1));
        Assert.True((await writer.WriteAsync(H(801, ModbusDataType.Bool) with { Bit = 15 }, false)).IsOk);
        Assert.Equal(new ushort[] { 0x0005 }, await fixture.Slave.GetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, 801, 1));
    }

    [Fact]
    public async Task PointWriter_Coil_WritesWithFc5()
    {
        await fixture.Slave.ResetCountsAsync();
        var writer = new ModbusPointWriter(_master.ForUnit(Unit));
        Assert.True((await writer.WriteAsync(new ModbusPoint { Table = ModbusTable.Coil, Address = 60, DataType = ModbusDataType.Bool }, true)).IsOk);
        Assert.Equal(new[] { true }, await fixture.Slave.GetBitsAsync(Unit, PyModbusTable.Coils, 60, 1));
        Assert.Equal(1, await fixture.Slave.RequestCountAsync(Unit, 5));
    }

    [Fact]
    public async Task PointWriter_SingleRegisterAlwaysMultiple_UsesFc16()
    {
        await fixture.Slave.ResetCountsAsync();
        var writer = new ModbusPointWriter(_master.ForUnit(Unit), new ModbusWriteOptions { AlwaysWriteMultiple = true });
        Assert.True((await writer.WriteAsync(H(810, ModbusDataType.UInt16), 9UL)).IsOk);
        Assert.Equal(1, await fixture.Slave.RequestCountAsync(Unit, 16));
        Assert.Equal(new ushort[] { 9 }, await fixture.Slave.GetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, 810, 1));
    }

    [Fact]
    public async Task PointWriter_OutOfRangeOrReadOnly_IsRejectedWithoutSending()
    {
        await fixture.Slave.ResetCountsAsync();
        var writer = new ModbusPointWriter(_master.ForUnit(Unit));
        var scaled = H(820, ModbusDataType.Int16) with { Scale = 0.1 };
        var tooBig = await writer.WriteAsync(scaled, 4000.0);
        Assert.Equal(ModbusStatus.ValueRejected, tooBig.Status);
        Assert.Contains("Int16", tooBig.Error, StringComparison.Ordinal);
        var readOnly = await writer.WriteAsync(new ModbusPoint { Table = ModbusTable.InputRegister, Address = 0 }, 1L);
        Assert.Equal(ModbusStatus.ValueRejected, readOnly.Status);
        var wrongKind = await writer.WriteAsync(H(821, ModbusDataType.UInt16), "x");
        Assert.Equal(ModbusStatus.ValueRejected, wrongKind.Status);
        Assert.Equal(0, await fixture.Slave.RequestCountAsync(Unit));
    }

    [Fact]
    public async Task PointReader_SteadyString_ReusesTheSameInstance()
    {
        await fixture.Slave.SetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, 900, 0x4142, 0x4344);
        var reader = new ModbusPointReader(_master.ForUnit(Unit),
            ModbusReadPlan.Create([H(900, ModbusDataType.String) with { Length = 2 }]));
        await reader.ReadAsync();
        var first = reader.Results[0].Value.AsString;
        await reader.ReadAsync();
        Assert.Same(first, reader.Results[0].Value.AsString);
        await fixture.Slave.SetRegistersAsync(Unit, PyModbusTable.HoldingRegisters, 900, 0x5858);
        await reader.ReadAsync();
        Assert.Equal("XXCD", reader.Results[0].Value.AsString);
    }
}
