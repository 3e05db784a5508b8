namespace EdgeNode.Simulator;

/// <summary>
/// Synthetic load for the node benchmark: <c>units</c> banks of <c>registers</c> holding registers, a fraction of
/// which change every period. Each change writes a fresh value (a per-register counter) so an observer can match
/// the value it receives in a DDATA to the moment the register changed.
/// </summary>
public sealed class RegisterFarm(int units, int registers, double changeFraction, int seed = 11)
{
    private readonly Random _random = new(seed);
    private readonly int[] _order = Enumerable.Range(0, registers).ToArray();

    public Dictionary<byte, RegisterBank> Banks { get; } =
        Enumerable.Range(1, units).ToDictionary(u => (byte)u, _ => new RegisterBank(Math.Max(registers, 16)));

    /// <summary>Called for every change: unit, address, new value, UTC ms when it was written.</summary>
    public event Action<byte, int, ushort, long>? Changed;

    public long ChangesMade { get; private set; }

    public void Step()
    {
        var perUnit = (int)Math.Round(registers * changeFraction);
        foreach (var (unit, bank) in Banks)
        {
            _random.Shuffle(_order);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var i = 0; i < perUnit; i++)
            {
                var address = _order[i];
                var value = (ushort)(bank.GetHolding(address) + 1);
                bank.SetHolding(address, value);
                ChangesMade++;
                Changed?.Invoke(unit, address, value, now);
            }
        }
    }

    public async Task RunAsync(TimeSpan period, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                Step();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
