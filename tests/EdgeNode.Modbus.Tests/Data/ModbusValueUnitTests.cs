namespace EdgeNode.Modbus.Tests.Data;

public class ModbusValueUnitTests
{
    [Fact]
    public void Equality_SameKindAndBits_AreEqual_NaNIncluded()
    {
        Assert.Equal(ModbusValue.FromDouble(double.NaN), ModbusValue.FromDouble(double.NaN));
        Assert.NotEqual(ModbusValue.FromInt64(1), ModbusValue.FromUInt64(1));
        Assert.Equal(ModbusValue.FromString("a"), ModbusValue.FromString("a"));
    }

    [Fact]
    public void WrongAccessor_Throws() => Assert.Throws<InvalidOperationException>(() => ModbusValue.FromBool(true).AsDouble);

    [Fact]
    public void ToString_IsInvariant() => Assert.Equal("1.5", ModbusValue.FromDouble(1.5).ToString());

    [Fact]
    public void Default_HasNoValue() => Assert.False(default(ModbusValue).HasValue);
}
