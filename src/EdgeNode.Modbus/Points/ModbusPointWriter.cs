namespace EdgeNode.Modbus;

/// <summary>How a bool that is a bit of a holding register is written.</summary>
public enum ModbusBitWriteMode
{
    /// <summary>
    /// FC 03 read, change the bit, FC 06 write back (every device supports it). Writes through one writer are
    /// serialized; a change the device itself makes to the other bits between the read and the write is lost.
    /// </summary>
    ReadModifyWrite,

    /// <summary>FC 22 Mask Write Register: atomic in the device, but not every device implements it.</summary>
    MaskWrite,
}

/// <summary>Write policy of one device.</summary>
public sealed record ModbusWriteOptions
{
    /// <summary>How bit-of-register bools are written.</summary>
    public ModbusBitWriteMode BitWrite { get; init; } = ModbusBitWriteMode.ReadModifyWrite;

    /// <summary>Write single registers with FC 16 instead of FC 06 (for devices that only implement FC 16).</summary>
    public bool AlwaysWriteMultiple { get; init; }
}

/// <summary>
/// Writes point values (DCMD): coils by FC 05, bit-of-register bools per <see cref="ModbusBitWriteMode"/>, one
/// register by FC 06, several (32/64-bit, strings) by FC 16. Scaled points are inverted (raw = (value − offset) /
/// scale, rounded to nearest) and a raw value that does not fit the register type is refused before anything is sent
/// (<see cref="ModbusStatus.ValueRejected"/>).
/// </summary>
public sealed class ModbusPointWriter
{
    private readonly ModbusUnitClient _unit;
    private readonly SemaphoreSlim _readModifyWrite = new(1, 1);

    /// <summary>A writer for <paramref name="unit"/>.</summary>
    public ModbusPointWriter(ModbusUnitClient unit, ModbusWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(unit);
        _unit = unit;
        Options = options ?? new ModbusWriteOptions();
    }

    /// <summary>The write policy.</summary>
    public ModbusWriteOptions Options { get; }

    /// <summary>Writes <paramref name="value"/> to <paramref name="point"/>.</summary>
    /// <exception cref="ArgumentException">The point itself is invalid (a configuration error).</exception>
    public async ValueTask<ModbusResult> WriteAsync(ModbusPoint point, ModbusValue value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(point);
        var problems = point.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid Modbus point: {string.Join("; ", problems)}", nameof(point));
        }

        if (!point.IsWritable)
        {
            return Rejected($"the {point.Table} table is read-only");
        }

        var address = (ushort)point.Address;
        if (point.DataType == ModbusDataType.Bool)
        {
            if (!ModbusValueCodec.TryGetBool(value, out var on, out var boolError))
            {
                return Rejected(boolError!);
            }

            if (point.Table == ModbusTable.Coil)
            {
                return await _unit.WriteSingleCoilAsync(address, on, cancellationToken).ConfigureAwait(false);
            }

            if (point.Bit is not { } bit)
            {
                return await WriteRegistersAsync(address, [on ? (ushort)1 : (ushort)0], cancellationToken).ConfigureAwait(false);
            }

            return await WriteBitAsync(address, bit, on, cancellationToken).ConfigureAwait(false);
        }

        var registers = new ushort[point.Count];
        if (!ModbusValueCodec.TryEncode(point, value, registers, out var error))
        {
            return Rejected(error!);
        }

        return await WriteRegistersAsync(address, registers, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<ModbusResult> WriteRegistersAsync(ushort address, ushort[] registers, CancellationToken cancellationToken) =>
        registers.Length == 1 && !Options.AlwaysWriteMultiple
            ? _unit.WriteSingleRegisterAsync(address, registers[0], cancellationToken)
            : _unit.WriteMultipleRegistersAsync(address, registers, cancellationToken);

    private async ValueTask<ModbusResult> WriteBitAsync(ushort address, int bit, bool on, CancellationToken cancellationToken)
    {
        var mask = (ushort)(1 << bit);
        if (Options.BitWrite == ModbusBitWriteMode.MaskWrite)
        {
            // §6.16: result = (current AND andMask) OR (orMask AND NOT andMask).
            return await _unit.MaskWriteRegisterAsync(address, (ushort)~mask, on ? mask : (ushort)0, cancellationToken).ConfigureAwait(false);
        }

        await _readModifyWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = new ushort[1];
            var read = await _unit.ReadHoldingRegistersAsync(address, current, cancellationToken).ConfigureAwait(false);
            if (!read.IsOk)
            {
                return read;
            }

            var updated = on ? (ushort)(current[0] | mask) : (ushort)(current[0] & ~mask);
            if (updated == current[0])
            {
                return ModbusResult.Ok;
            }

            return await WriteRegistersAsync(address, [updated], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _readModifyWrite.Release();
        }
    }

    private static ModbusResult Rejected(string reason) => new(ModbusStatus.ValueRejected, Error: reason);
}
