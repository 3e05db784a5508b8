namespace EdgeNode.Simulator;

/// <summary>
/// A 3 MW turbine behind the register map of config/types/wind-turbine.yaml:
/// holding 0 Rotor/Speed float32 RPM · 2 Blade/Pitch float32 deg · 4 Power/Active float32 kW · 6 Wind/Speed
/// float32 m/s · 8 Nacelle/Temperature int16 ×0.1 °C · 20 Power/Limit uint16 kW (writable);
/// coil 0 Status/Run (writable); discrete 0 Alarm/Overspeed, 1 Alarm/Fault; input 0 Fault/Code.
/// The physics is only plausible enough for a demo: a power curve with cut-in, rated and cut-out wind speeds,
/// pitch control above rated, first-order lags for rotor speed and temperature.
/// </summary>
public sealed class WindTurbineModel
{
    public const float RatedPowerKw = 3000;
    private const float CutIn = 3, Rated = 12, CutOut = 25, RatedRpm = 15, Ambient = 12;

    private readonly RegisterBank _bank;
    private readonly Random _random;
    private double _gust;
    private float _rotor;
    private float _temperature = Ambient + 8;

    public WindTurbineModel(RegisterBank bank, int seed = 7)
    {
        _bank = bank;
        _random = new Random(seed);
        bank.SetCoil(0, true);
        bank.SetHolding(20, (ushort)RatedPowerKw);
    }

    /// <summary>Advances the model to <paramref name="seconds"/> since start by one step of <paramref name="dt"/>.</summary>
    public void Step(double seconds, double dt)
    {
        // A slow swell, a faster wobble and a random-walk gust: wind that crosses rated speed now and then.
        _gust = Math.Clamp(_gust + ((_random.NextDouble() - 0.5) * 0.6), -3, 3);
        var wind = (float)Math.Max(0, 9.5 + (3.5 * Math.Sin(seconds * 2 * Math.PI / 90)) +
                                      (1.2 * Math.Sin(seconds * 2 * Math.PI / 13)) + _gust);

        var running = _bank.GetCoil(0);
        var limit = Math.Min(_bank.GetHolding(20), (ushort)RatedPowerKw);
        float targetRpm, pitch, power;
        if (!running || wind < CutIn || wind > CutOut)
        {
            targetRpm = running && wind < CutIn ? wind * 0.8f : 0;
            pitch = 88;
            power = 0;
        }
        else
        {
            var fraction = Math.Clamp((MathF.Pow(wind, 3) - MathF.Pow(CutIn, 3)) / (MathF.Pow(Rated, 3) - MathF.Pow(CutIn, 3)), 0, 1);
            power = Math.Min(RatedPowerKw * fraction, limit);
            targetRpm = Math.Min(RatedRpm, 6 + ((wind - CutIn) * 1.1f));
            // Above rated wind (or when curtailed) the blades pitch out to shed the surplus.
            var surplus = Math.Max(wind - Rated, 0) + (RatedPowerKw * fraction > limit ? (RatedPowerKw * fraction - limit) / 300f : 0);
            pitch = Math.Min(30, surplus * 2.5f);
            targetRpm += (float)(_gust * 0.6);
        }

        _rotor += (float)((targetRpm - _rotor) * Math.Min(1, dt / 2.5));
        _temperature += (float)((Ambient + 8 + (power / RatedPowerKw * 30) - _temperature) * Math.Min(1, dt / 30));
        var overspeed = _rotor > 17;

        lock (_bank.SyncRoot)
        {
            _bank.SetFloat32(ModbusTable.Holding, 0, MathF.Round(_rotor, 2));
            _bank.SetFloat32(ModbusTable.Holding, 2, MathF.Round(pitch, 1));
            _bank.SetFloat32(ModbusTable.Holding, 4, MathF.Round(power, 1));
            _bank.SetFloat32(ModbusTable.Holding, 6, MathF.Round(wind, 2));
            _bank.SetHolding(8, (ushort)(short)MathF.Round(_temperature * 10));
            _bank.SetDiscrete(0, overspeed);
            _bank.SetDiscrete(1, _temperature > 60);
            _bank.SetInput(0, (ushort)(overspeed ? 101 : _temperature > 60 ? 202 : 0));
        }
    }

    /// <summary>Runs the model every <paramref name="period"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan period, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        using var timer = new PeriodicTimer(period);
        Step(0, period.TotalSeconds);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                Step((DateTime.UtcNow - started).TotalSeconds, period.TotalSeconds);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
