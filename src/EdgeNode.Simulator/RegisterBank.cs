namespace EdgeNode.Simulator;

/// <summary>The four Modbus tables of one unit. Every access takes the bank's lock so a model's update of a
/// multi-register value is never seen half-written by a read.</summary>
public sealed class RegisterBank
{
    private readonly bool[] _coils;
    private readonly bool[] _discretes;
    private readonly ushort[] _inputs;
    private readonly ushort[] _holdings;

    public RegisterBank(int size = 10_000)
    {
        Size = size;
        _coils = new bool[size];
        _discretes = new bool[size];
        _inputs = new ushort[size];
        _holdings = new ushort[size];
    }

    public int Size { get; }

    public Lock SyncRoot { get; } = new();

    /// <summary>Raised (outside the lock) after a master wrote coils or holding registers.</summary>
    public event Action<ModbusTable, int, int>? Written;

    public bool InRange(int address, int count) => address >= 0 && count >= 0 && address + count <= Size;

    public bool[] Bits(ModbusTable table) => table == ModbusTable.Coil ? _coils : _discretes;

    public ushort[] Words(ModbusTable table) => table == ModbusTable.Holding ? _holdings : _inputs;

    public void SetCoil(int address, bool value)
    {
        lock (SyncRoot)
        {
            _coils[address] = value;
        }
    }

    public bool GetCoil(int address)
    {
        lock (SyncRoot)
        {
            return _coils[address];
        }
    }

    public void SetDiscrete(int address, bool value)
    {
        lock (SyncRoot)
        {
            _discretes[address] = value;
        }
    }

    public void SetHolding(int address, ushort value)
    {
        lock (SyncRoot)
        {
            _holdings[address] = value;
        }
    }

    public ushort GetHolding(int address)
    {
        lock (SyncRoot)
        {
            return _holdings[address];
        }
    }

    public void SetInput(int address, ushort value)
    {
        lock (SyncRoot)
        {
            _inputs[address] = value;
        }
    }

    /// <summary>Stores a float32 big-endian over two registers (the ABCD order of the contract).</summary>
    public void SetFloat32(ModbusTable table, int address, float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        lock (SyncRoot)
        {
            var words = Words(table);
            words[address] = (ushort)(bits >> 16);
            words[address + 1] = (ushort)bits;
        }
    }

    public float GetFloat32(ModbusTable table, int address)
    {
        lock (SyncRoot)
        {
            var words = Words(table);
            return BitConverter.UInt32BitsToSingle(((uint)words[address] << 16) | words[address + 1]);
        }
    }

    internal void OnWritten(ModbusTable table, int address, int count) => Written?.Invoke(table, address, count);
}

public enum ModbusTable
{
    Coil,
    Discrete,
    Input,
    Holding,
}
