namespace EdgeNode.Modbus;

/// <summary>How a device's points are grouped into read requests.</summary>
public sealed record ModbusPlanOptions
{
    /// <summary>
    /// Merge points into as few requests as the limits allow, reading across up to <see cref="MaxGap"/> unmapped
    /// registers. Off: one request per distinct point span, for devices that answer exception 02 to any read touching
    /// an address they do not map.
    /// </summary>
    public bool Coalesce { get; init; } = true;

    /// <summary>Most unused registers bridged between two points in one read (0 = merge only adjacent or overlapping points).</summary>
    public int MaxGap { get; init; } = 16;

    /// <summary>Most unused coils/discrete inputs bridged between two points in one read.</summary>
    public int MaxBitGap { get; init; } = 256;

    /// <summary>Registers per read request (1–125, the FC 03/04 limit); lower it for devices with smaller buffers.</summary>
    public int MaxRegistersPerRead { get; init; } = ModbusPdu.MaxReadRegisters;

    /// <summary>Bits per read request (1–2000, the FC 01/02 limit).</summary>
    public int MaxBitsPerRead { get; init; } = ModbusPdu.MaxReadBits;

    /// <summary>Every problem of these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxGap is < 0 or > ModbusPdu.MaxReadRegisters)
        {
            problems.Add($"maxGap: {MaxGap} is outside 0–{ModbusPdu.MaxReadRegisters}");
        }

        if (MaxBitGap is < 0 or > ModbusPdu.MaxReadBits)
        {
            problems.Add($"maxBitGap: {MaxBitGap} is outside 0–{ModbusPdu.MaxReadBits}");
        }

        if (MaxRegistersPerRead is < 1 or > ModbusPdu.MaxReadRegisters)
        {
            problems.Add($"maxRegistersPerRead: {MaxRegistersPerRead} is outside 1–{ModbusPdu.MaxReadRegisters}");
        }

        if (MaxBitsPerRead is < 1 or > ModbusPdu.MaxReadBits)
        {
            problems.Add($"maxBitsPerRead: {MaxBitsPerRead} is outside 1–{ModbusPdu.MaxReadBits}");
        }

        return problems;
    }
}

/// <summary>One read request of a plan.</summary>
/// <param name="Table">The table (selects FC 01/02/03/04).</param>
/// <param name="Address">First address.</param>
/// <param name="Count">Registers or bits.</param>
public readonly record struct ModbusReadBlock(ModbusTable Table, int Address, int Count)
{
    /// <summary>The read function for the table.</summary>
    public ModbusFunctionCode Function => Table switch
    {
        ModbusTable.Coil => ModbusFunctionCode.ReadCoils,
        ModbusTable.DiscreteInput => ModbusFunctionCode.ReadDiscreteInputs,
        ModbusTable.InputRegister => ModbusFunctionCode.ReadInputRegisters,
        _ => ModbusFunctionCode.ReadHoldingRegisters,
    };

    /// <summary>True for coils and discrete inputs.</summary>
    public bool IsBits => Table is ModbusTable.Coil or ModbusTable.DiscreteInput;
}

/// <summary>
/// A device's points grouped into the fewest read requests within the Modbus limits (125 registers / 2000 bits) and
/// the gap policy. Made once (at configuration), executed every poll by <see cref="ModbusPointReader"/>.
/// </summary>
public sealed class ModbusReadPlan
{
    private readonly int[] _pointBlock;
    private readonly int[] _pointOffset;

    private ModbusReadPlan(IReadOnlyList<ModbusPoint> points, IReadOnlyList<ModbusReadBlock> blocks, int[] pointBlock, int[] pointOffset,
        ModbusPlanOptions options)
    {
        Points = points;
        Blocks = blocks;
        _pointBlock = pointBlock;
        _pointOffset = pointOffset;
        Options = options;
    }

    /// <summary>The points, in the caller's order (results use the same indices).</summary>
    public IReadOnlyList<ModbusPoint> Points { get; }

    /// <summary>The read requests, by table then address.</summary>
    public IReadOnlyList<ModbusReadBlock> Blocks { get; }

    /// <summary>The options the plan was made with.</summary>
    public ModbusPlanOptions Options { get; }

    /// <summary>The block that reads point <paramref name="pointIndex"/>.</summary>
    public int BlockOf(int pointIndex) => _pointBlock[pointIndex];

    /// <summary>Offset (registers or bits) of point <paramref name="pointIndex"/> inside its block.</summary>
    public int OffsetOf(int pointIndex) => _pointOffset[pointIndex];

    /// <summary>Plans the reads of <paramref name="points"/>.</summary>
    /// <exception cref="ArgumentException">A point or the options are invalid; every problem is listed.</exception>
    public static ModbusReadPlan Create(IReadOnlyList<ModbusPoint> points, ModbusPlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        options ??= new ModbusPlanOptions();
        var problems = new List<string>(options.Validate());
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            foreach (var problem in point.Validate())
            {
                problems.Add($"point {i} ({point.Table} {point.Address}): {problem}");
            }

            var limit = point.IsBitTable ? options.MaxBitsPerRead : options.MaxRegistersPerRead;
            if (point.Count > limit)
            {
                problems.Add($"point {i} ({point.Table} {point.Address}): spans {point.Count} registers, more than one read carries ({limit})");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid Modbus read plan: {string.Join("; ", problems)}", nameof(points));
        }

        var order = Enumerable.Range(0, points.Count)
            .OrderBy(i => points[i].Table)
            .ThenBy(i => points[i].Address)
            .ThenByDescending(i => points[i].Count)
            .ToArray();
        var blocks = new List<ModbusReadBlock>();
        var pointBlock = new int[points.Count];
        var pointOffset = new int[points.Count];
        var current = -1;
        foreach (var i in order)
        {
            var point = points[i];
            var start = point.Address;
            var end = point.Address + point.Count;
            if (current >= 0 && Fits(blocks[current], point, start, end, options))
            {
                var block = blocks[current];
                var blockEnd = Math.Max(block.Address + block.Count, end);
                blocks[current] = block with { Count = blockEnd - block.Address };
            }
            else
            {
                blocks.Add(new ModbusReadBlock(point.Table, start, point.Count));
                current = blocks.Count - 1;
            }

            pointBlock[i] = current;
            pointOffset[i] = start - blocks[current].Address;
        }

        return new ModbusReadPlan(points.ToArray(), blocks.ToArray(), pointBlock, pointOffset, options);
    }

    private static bool Fits(ModbusReadBlock block, ModbusPoint point, int start, int end, ModbusPlanOptions options)
    {
        if (block.Table != point.Table)
        {
            return false;
        }

        var blockEnd = block.Address + block.Count;
        if (!options.Coalesce)
        {
            // Only points reading exactly the same registers share a request (e.g. several bits of one status word).
            return start == block.Address && end == blockEnd;
        }

        var gap = start - blockEnd;
        var maxGap = point.IsBitTable ? options.MaxBitGap : options.MaxGap;
        var limit = point.IsBitTable ? options.MaxBitsPerRead : options.MaxRegistersPerRead;
        return gap <= maxGap && Math.Max(blockEnd, end) - block.Address <= limit;
    }
}
