namespace EdgeNode.Modbus;

/// <summary>The four Modbus data tables.</summary>
public enum ModbusTable
{
    /// <summary>Coils: read/write bits (FC 01, 05, 15).</summary>
    Coil,

    /// <summary>Discrete inputs: read-only bits (FC 02).</summary>
    DiscreteInput,

    /// <summary>Input registers: read-only 16-bit words (FC 04).</summary>
    InputRegister,

    /// <summary>Holding registers: read/write 16-bit words (FC 03, 06, 16, 22, 23).</summary>
    HoldingRegister,
}

/// <summary>How a point's registers or bit are interpreted.</summary>
public enum ModbusDataType
{
    /// <summary>A coil or discrete input, or a bit (or non-zero-ness) of a register.</summary>
    Bool,

    /// <summary>One register, two's complement.</summary>
    Int16,

    /// <summary>One register.</summary>
    UInt16,

    /// <summary>Two registers, two's complement.</summary>
    Int32,

    /// <summary>Two registers.</summary>
    UInt32,

    /// <summary>Four registers, two's complement.</summary>
    Int64,

    /// <summary>Four registers.</summary>
    UInt64,

    /// <summary>Two registers, IEEE 754 single.</summary>
    Float32,

    /// <summary>Four registers, IEEE 754 double.</summary>
    Float64,

    /// <summary>Length registers of ASCII, two characters each, high byte first, trailing NULs trimmed.</summary>
    String,
}

/// <summary>
/// Byte order of a multi-register value, naming the value's bytes A (most significant) to D (contract "Value rules"):
/// ABCD registers in address order, high byte first; CDAB registers reversed (low word first); BADC bytes of each
/// register swapped; DCBA both. The same rules extend to four registers; for strings only the byte swap applies.
/// </summary>
public enum ModbusByteOrder
{
    /// <summary>Big-endian: registers in address order, high byte first (the default).</summary>
    ABCD,

    /// <summary>Word swap: the lowest register holds the least significant word.</summary>
    CDAB,

    /// <summary>Byte swap inside each register, registers in address order.</summary>
    BADC,

    /// <summary>Little-endian: word swap and byte swap.</summary>
    DCBA,
}

/// <summary>
/// One value to read or write on a device: where it lives and how to interpret it. Value equality.
/// </summary>
public sealed record ModbusPoint
{
    /// <summary>The table.</summary>
    public required ModbusTable Table { get; init; }

    /// <summary>Zero-based address as on the wire (0–65535).</summary>
    public required int Address { get; init; }

    /// <summary>The data type.</summary>
    public ModbusDataType DataType { get; init; } = ModbusDataType.UInt16;

    /// <summary>Byte/word order of multi-register values (and byte swap of strings and 16-bit values).</summary>
    public ModbusByteOrder Order { get; init; } = ModbusByteOrder.ABCD;

    /// <summary>For <see cref="ModbusDataType.Bool"/> on a register table: bit 0–15; null = the register is non-zero.</summary>
    public int? Bit { get; init; }

    /// <summary>For <see cref="ModbusDataType.String"/>: number of registers (1–125).</summary>
    public int Length { get; init; }

    /// <summary>Engineering value = raw × scale + offset (published as double when scale or offset is set).</summary>
    public double? Scale { get; init; }

    /// <summary>See <see cref="Scale"/>.</summary>
    public double? Offset { get; init; }

    /// <summary>True when scale or offset is set: the value is a double.</summary>
    public bool IsScaled => Scale is not null || Offset is not null;

    /// <summary>True for the bit tables (coils, discrete inputs).</summary>
    public bool IsBitTable => Table is ModbusTable.Coil or ModbusTable.DiscreteInput;

    /// <summary>True when the point may be written (coils and holding registers).</summary>
    public bool IsWritable => Table is ModbusTable.Coil or ModbusTable.HoldingRegister;

    /// <summary>Registers (or bits, on a bit table) the point spans.</summary>
    public int Count => IsBitTable ? 1 : DataType switch
    {
        ModbusDataType.Bool or ModbusDataType.Int16 or ModbusDataType.UInt16 => 1,
        ModbusDataType.Int32 or ModbusDataType.UInt32 or ModbusDataType.Float32 => 2,
        ModbusDataType.Int64 or ModbusDataType.UInt64 or ModbusDataType.Float64 => 4,
        ModbusDataType.String => Length,
        _ => 1,
    };

    /// <summary>Every problem of this point, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Table))
        {
            problems.Add($"table: {(int)Table} is not coil, discrete, input or holding");
        }

        if (!Enum.IsDefined(DataType))
        {
            problems.Add($"type: {(int)DataType} is not a known type");
        }

        if (!Enum.IsDefined(Order))
        {
            problems.Add($"order: {(int)Order} is not ABCD, CDAB, BADC or DCBA");
        }

        if (Address is < 0 or > 65535)
        {
            problems.Add($"address: {Address} is outside 0–65535");
        }

        if (IsBitTable && DataType != ModbusDataType.Bool)
        {
            problems.Add($"type: {DataType} on the {Table} table; coils and discrete inputs are bool");
        }

        if (Bit is { } bit)
        {
            if (IsBitTable || DataType != ModbusDataType.Bool)
            {
                problems.Add("bit: only for type bool on a register table (input, holding)");
            }
            else if (bit is < 0 or > 15)
            {
                problems.Add($"bit: {bit} is outside 0–15");
            }
        }

        if (DataType == ModbusDataType.String)
        {
            if (Length is < 1 or > ModbusPdu.MaxReadRegisters)
            {
                problems.Add($"length: {Length} registers is outside 1–{ModbusPdu.MaxReadRegisters} for a string");
            }
        }
        else if (Length != 0)
        {
            problems.Add("length: only for type string");
        }

        if (IsScaled && DataType is ModbusDataType.Bool or ModbusDataType.String)
        {
            problems.Add($"scale/offset: not for type {DataType}");
        }

        if (Scale is { } scale && (scale == 0 || !double.IsFinite(scale)))
        {
            problems.Add($"scale: {scale} must be a finite non-zero number");
        }

        if (Offset is { } offset && !double.IsFinite(offset))
        {
            problems.Add($"offset: {offset} must be finite");
        }

        if (Address is >= 0 and <= 65535 && Address + Count > 65536)
        {
            problems.Add($"address: {Address} + {Count} registers runs past 65535");
        }

        return problems;
    }
}
