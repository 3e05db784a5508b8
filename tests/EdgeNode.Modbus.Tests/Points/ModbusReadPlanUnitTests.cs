namespace EdgeNode.Modbus.Tests.Points;

public class ModbusReadPlanUnitTests
{
    private static ModbusPoint H(int address, ModbusDataType type = ModbusDataType.UInt16, int length = 0) =>
        new() { Table = ModbusTable.HoldingRegister, Address = address, DataType = type, Length = length };

    private static ModbusPoint C(int address) => new() { Table = ModbusTable.Coil, Address = address, DataType = ModbusDataType.Bool };

    [Fact]
    public void Create_ContiguousPoints_OneRequest()
    {
        var plan = ModbusReadPlan.Create([H(0, ModbusDataType.Float32), H(2), H(3, ModbusDataType.Int64)]);
        Assert.Equal([new ModbusReadBlock(ModbusTable.HoldingRegister, 0, 7)], plan.Blocks);
        Assert.Equal(3, plan.OffsetOf(2));
    }

    [Fact]
    public void Create_GapWithinMaxGap_IsBridged()
    {
        var plan = ModbusReadPlan.Create([H(0), H(11)], new ModbusPlanOptions { MaxGap = 10 });
        Assert.Equal([new ModbusReadBlock(ModbusTable.HoldingRegister, 0, 12)], plan.Blocks);
    }

    [Fact]
    public void Create_GapBeyondMaxGap_Splits()
    {
        var plan = ModbusReadPlan.Create([H(0), H(12)], new ModbusPlanOptions { MaxGap = 10 });
        Assert.Equal(2, plan.Blocks.Count);
    }

    [Fact]
    public void Create_MaxGapZero_MergesOnlyAdjacentAndOverlapping()
    {
        var status = new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 1, DataType = ModbusDataType.Bool, Bit = 3 };
        var plan = ModbusReadPlan.Create([H(0), status, H(1), H(3)], new ModbusPlanOptions { MaxGap = 0 });
        Assert.Equal([new ModbusReadBlock(ModbusTable.HoldingRegister, 0, 2), new ModbusReadBlock(ModbusTable.HoldingRegister, 3, 1)], plan.Blocks);
    }

    [Fact]
    public void Create_ThousandRegisters_EightRequestsOf125()
    {
        var points = Enumerable.Range(0, 1000).Select(i => H(i)).ToList();
        var plan = ModbusReadPlan.Create(points);
        Assert.Equal(8, plan.Blocks.Count);
        Assert.All(plan.Blocks, b => Assert.Equal(125, b.Count));
    }

    [Fact]
    public void Create_MultiRegisterPointAtLimit_IsNotSplit()
    {
        // 124 single registers then a float32 at 124: 126 registers would exceed the limit, so the float starts a new request.
        var points = Enumerable.Range(0, 124).Select(i => H(i)).Append(H(124, ModbusDataType.Float32)).ToList();
        var plan = ModbusReadPlan.Create(points);
        Assert.Equal(2, plan.Blocks.Count);
        Assert.Equal(new ModbusReadBlock(ModbusTable.HoldingRegister, 124, 2), plan.Blocks[1]);
    }

    [Fact]
    public void Create_TwoThousandOneCoils_TwoRequests()
    {
        var plan = ModbusReadPlan.Create(Enumerable.Range(0, 2001).Select(C).ToList());
        Assert.Equal([new ModbusReadBlock(ModbusTable.Coil, 0, 2000), new ModbusReadBlock(ModbusTable.Coil, 2000, 1)], plan.Blocks);
    }

    [Fact]
    public void Create_TablesAreNeverMixed()
    {
        var plan = ModbusReadPlan.Create([H(0), C(0), new ModbusPoint { Table = ModbusTable.InputRegister, Address = 1 }]);
        Assert.Equal(3, plan.Blocks.Count);
        Assert.Equal(ModbusFunctionCode.ReadCoils, plan.Blocks[0].Function);
    }

    [Fact]
    public void Create_CoalesceOff_OneRequestPerDistinctSpan()
    {
        var bit0 = new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 5, DataType = ModbusDataType.Bool, Bit = 0 };
        var bit1 = bit0 with { Bit = 1 };
        var plan = ModbusReadPlan.Create([H(0), H(1), bit0, bit1], new ModbusPlanOptions { Coalesce = false });
        Assert.Equal(3, plan.Blocks.Count);
        Assert.Equal(plan.BlockOf(2), plan.BlockOf(3));
    }

    [Fact]
    public void Create_SmallerDeviceLimit_IsRespected()
    {
        var plan = ModbusReadPlan.Create(Enumerable.Range(0, 100).Select(i => H(i)).ToList(), new ModbusPlanOptions { MaxRegistersPerRead = 32 });
        Assert.Equal(4, plan.Blocks.Count);
        Assert.All(plan.Blocks, b => Assert.True(b.Count <= 32));
    }

    [Fact]
    public void Create_InvalidPoints_ListsEveryProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModbusReadPlan.Create(
        [
            new ModbusPoint { Table = ModbusTable.Coil, Address = 0, DataType = ModbusDataType.Int16 },
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 0, DataType = ModbusDataType.Bool, Bit = 16 },
            H(0, ModbusDataType.String, length: 0),
            H(65535, ModbusDataType.Float32),
            new ModbusPoint { Table = ModbusTable.HoldingRegister, Address = 0, DataType = ModbusDataType.Bool, Scale = 2 },
        ]));
        Assert.Contains("point 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bit: 16", ex.Message, StringComparison.Ordinal);
        Assert.Contains("length: 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("runs past 65535", ex.Message, StringComparison.Ordinal);
        Assert.Contains("scale/offset", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_StringLongerThanDeviceLimit_IsRefused() =>
        Assert.Throws<ArgumentException>(() =>
            ModbusReadPlan.Create([H(0, ModbusDataType.String, length: 40)], new ModbusPlanOptions { MaxRegistersPerRead = 32 }));

    [Fact]
    public void Create_UnsortedInput_KeepsCallerIndices()
    {
        var plan = ModbusReadPlan.Create([H(10), H(0)]);
        Assert.Equal(10, plan.OffsetOf(0));
        Assert.Equal(0, plan.OffsetOf(1));
        Assert.Equal(10, plan.Points[0].Address);
    }
}
