using EdgeNode.Simulator;

namespace EdgeNode.Simulator.Tests;

public class WindTurbineModelUnitTests
{
    [Fact]
    public void Step_Running_ProducesPowerWithinLimitAndPlausibleValues()
    {
        var bank = new RegisterBank();
        var model = new WindTurbineModel(bank);
        bank.SetHolding(20, 1000);

        for (var t = 0.0; t < 120; t += 0.5)
        {
            model.Step(t, 0.5);
            var power = bank.GetFloat32(ModbusTable.Holding, 4);
            Assert.InRange(power, 0, 1000);
            Assert.InRange(bank.GetFloat32(ModbusTable.Holding, 0), 0, 25);
            Assert.InRange(bank.GetFloat32(ModbusTable.Holding, 6), 0, 30);
        }

        Assert.True(bank.GetFloat32(ModbusTable.Holding, 4) > 0, "a running turbine in a 9.5 m/s mean wind produces power");
    }

    [Fact]
    public void Step_RunCoilCleared_PowerDropsToZeroAndRotorSlowsDown()
    {
        var bank = new RegisterBank();
        var model = new WindTurbineModel(bank);
        for (var t = 0.0; t < 30; t += 0.5)
        {
            model.Step(t, 0.5);
        }

        bank.SetCoil(0, false);
        for (var t = 30.0; t < 60; t += 0.5)
        {
            model.Step(t, 0.5);
        }

        Assert.Equal(0f, bank.GetFloat32(ModbusTable.Holding, 4));
        Assert.True(bank.GetFloat32(ModbusTable.Holding, 0) < 0.5f);
        Assert.True(bank.GetFloat32(ModbusTable.Holding, 2) > 80, "a stopped turbine feathers its blades");
    }

    [Fact]
    public void RegisterFarm_Step_ChangesTheConfiguredFractionWithFreshValues()
    {
        var farm = new RegisterFarm(units: 2, registers: 100, changeFraction: 0.1);
        var seen = new List<(byte Unit, int Address, ushort Value)>();
        farm.Changed += (u, a, v, _) => seen.Add((u, a, v));

        farm.Step();

        Assert.Equal(20, seen.Count);
        Assert.All(seen, c => Assert.Equal(c.Value, farm.Banks[c.Unit].GetHolding(c.Address)));
        Assert.Equal(10, seen.Count(c => c.Unit == 1));
    }
}
