using System.Runtime.CompilerServices;

namespace EdgeNode.Modbus;

/// <summary>
/// One unit (device) on a shared link: the raw Modbus functions with this unit's timeout/retry/back-off policy.
/// Expected faults (timeout, exception response, link down, unit backed off) are returned as
/// <see cref="ModbusResult"/>; only misuse (a count out of range, a read from the broadcast address) and user
/// cancellation throw. The overloads taking a <see cref="Memory{T}"/> destination allocate nothing.
/// </summary>
public sealed class ModbusUnitClient : IAsyncDisposable
{
    private readonly Action? _release;
    private int _released;

    internal ModbusUnitClient(ModbusMaster master, byte unitId, ModbusMasterOptions options, Action? release)
    {
        Master = master;
        UnitId = unitId;
        Options = options;
        _release = release;
    }

    /// <summary>The link's master (shared with the other units on the link).</summary>
    public ModbusMaster Master { get; }

    /// <summary>The unit id (slave address).</summary>
    public byte UnitId { get; }

    /// <summary>Timeout, retries, back-off of this unit's requests.</summary>
    public ModbusMasterOptions Options { get; }

    /// <summary>FC 01: reads <paramref name="count"/> coils (1–2000).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult<bool[]>> ReadCoilsAsync(ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        var values = new bool[count];
        var result = await ReadBitsAsync(ModbusFunctionCode.ReadCoils, address, values, cancellationToken).ConfigureAwait(false);
        return new ModbusResult<bool[]>(result.Status, result.IsOk ? values : null, result.ExceptionCode, result.Error);
    }

    /// <summary>FC 02: reads <paramref name="count"/> discrete inputs (1–2000).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult<bool[]>> ReadDiscreteInputsAsync(ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        var values = new bool[count];
        var result = await ReadBitsAsync(ModbusFunctionCode.ReadDiscreteInputs, address, values, cancellationToken).ConfigureAwait(false);
        return new ModbusResult<bool[]>(result.Status, result.IsOk ? values : null, result.ExceptionCode, result.Error);
    }

    /// <summary>FC 03: reads <paramref name="count"/> holding registers (1–125).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult<ushort[]>> ReadHoldingRegistersAsync(ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        var values = new ushort[count];
        var result = await ReadRegistersAsync(ModbusFunctionCode.ReadHoldingRegisters, address, values, cancellationToken).ConfigureAwait(false);
        return new ModbusResult<ushort[]>(result.Status, result.IsOk ? values : null, result.ExceptionCode, result.Error);
    }

    /// <summary>FC 04: reads <paramref name="count"/> input registers (1–125).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult<ushort[]>> ReadInputRegistersAsync(ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        var values = new ushort[count];
        var result = await ReadRegistersAsync(ModbusFunctionCode.ReadInputRegisters, address, values, cancellationToken).ConfigureAwait(false);
        return new ModbusResult<ushort[]>(result.Status, result.IsOk ? values : null, result.ExceptionCode, result.Error);
    }

    /// <summary>FC 01 into <paramref name="destination"/> (its length is the count).</summary>
    public ValueTask<ModbusResult> ReadCoilsAsync(ushort address, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        ReadBitsAsync(ModbusFunctionCode.ReadCoils, address, destination, cancellationToken);

    /// <summary>FC 02 into <paramref name="destination"/> (its length is the count).</summary>
    public ValueTask<ModbusResult> ReadDiscreteInputsAsync(ushort address, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        ReadBitsAsync(ModbusFunctionCode.ReadDiscreteInputs, address, destination, cancellationToken);

    /// <summary>FC 03 into <paramref name="destination"/> (its length is the count).</summary>
    public ValueTask<ModbusResult> ReadHoldingRegistersAsync(ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ReadRegistersAsync(ModbusFunctionCode.ReadHoldingRegisters, address, destination, cancellationToken);

    /// <summary>FC 04 into <paramref name="destination"/> (its length is the count).</summary>
    public ValueTask<ModbusResult> ReadInputRegistersAsync(ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ReadRegistersAsync(ModbusFunctionCode.ReadInputRegisters, address, destination, cancellationToken);

    /// <summary>FC 05: sets or clears one coil.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult> WriteSingleCoilAsync(ushort address, bool value, CancellationToken cancellationToken = default)
    {
        var tx = Begin();
        try
        {
            tx.RequestLength = ModbusPdu.EncodeWriteSingleCoil(tx.Request, address, value);
            var result = await RunAsync(tx, cancellationToken).ConfigureAwait(false);
            await ModbusTransaction.LeaveTransportThread();
            return result;
        }
        finally
        {
            Master.ReturnTransaction(tx);
        }
    }

    /// <summary>FC 06: writes one register.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult> WriteSingleRegisterAsync(ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        var tx = Begin();
        try
        {
            tx.RequestLength = ModbusPdu.EncodeWriteSingleRegister(tx.Request, address, value);
            var result = await RunAsync(tx, cancellationToken).ConfigureAwait(false);
            await ModbusTransaction.LeaveTransportThread();
            return result;
        }
        finally
        {
            Master.ReturnTransaction(tx);
        }
    }

    /// <summary>FC 15: writes 1–1968 coils.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult> WriteMultipleCoilsAsync(ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
    {
        CheckRange(address, values.Length, ModbusPdu.MaxWriteBits, nameof(values));
        var tx = Begin();
        try
        {
            tx.RequestLength = ModbusPdu.EncodeWriteMultipleCoils(tx.Request, address, values.Span);
            var result = await RunAsync(tx, cancellationToken).ConfigureAwait(false);
            await ModbusTransaction.LeaveTransportThread();
            return result;
        }
        finally
        {
            Master.ReturnTransaction(tx);
        }
    }

    /// <summary>FC 16: writes 1–123 registers.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult> WriteMultipleRegistersAsync(ushort address, ReadOnlyMemory<ushort> values,
        CancellationToken cancellationToken = default)
    {
        CheckRange(address, values.Length, ModbusPdu.MaxWriteRegisters, nameof(values));
        var tx = Begin();
        try
        {
            tx.RequestLength = ModbusPdu.EncodeWriteMultipleRegisters(tx.Request, address, values.Span);
            var result = await RunAsync(tx, cancellationToken).ConfigureAwait(false);
            await ModbusTransaction.LeaveTransportThread();
            return result;
        }
        finally
        {
            Master.ReturnTransaction(tx);
        }
    }

    /// <summary>FC 22: register = (register AND <paramref name="andMask"/>) OR (<paramref name="orMask"/> AND NOT <paramref name="andMask"/>), atomically in the device.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult> MaskWriteRegisterAsync(ushort address, ushort andMask, ushort orMask,
        CancellationToken cancellationToken = default)
    {
        var tx = Begin();
        try
        {
            tx.RequestLength = ModbusPdu.EncodeMaskWriteRegister(tx.Request, address, andMask, orMask);
            var result = await RunAsync(tx, cancellationToken).ConfigureAwait(false);
            await ModbusTransaction.LeaveTransportThread();
            return result;
        }
        finally
        {
            Master.ReturnTransaction(tx);
        }
    }

    /// <summary>FC 23: writes 1–121 registers, then reads 1–125 registers, in one transaction (the write happens first).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusResult<ushort[]>> ReadWriteMultipleRegistersAsync(ushort readAddress, ushort readCount, ushort writeAddress,
        ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        CheckRead(readAddress, readCount, ModbusPdu.MaxReadRegisters);
        CheckRange(writeAddress, values.Length, ModbusPdu.MaxReadWriteWriteRegisters, nameof(values));
        var tx = Begin();
        try
        {
            tx.RequestLength = ModbusPdu.EncodeReadWriteMultipleRegisters(tx.Request, readAddress, readCount, writeAddress, values.Span);
            var result = await RunAsync(tx, cancellationToken).ConfigureAwait(false);
            ushort[]? read = null;
            if (result.IsOk)
            {
                read = new ushort[readCount];
                ModbusPdu.ReadRegisters(tx.ResponsePdu[2..], read);
            }

            await ModbusTransaction.LeaveTransportThread();
            return new ModbusResult<ushort[]>(result.Status, read, result.ExceptionCode, result.Error);
        }
        finally
        {
            Master.ReturnTransaction(tx);
        }
    }

    /// <summary>Releases this unit's hold on a pooled link (the link closes when its last unit is released).</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _release?.Invoke();
        }

        return ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<ModbusResult> ReadRegistersAsync(ModbusFunctionCode function, ushort address, Memory<ushort> destination,
        CancellationToken cancellationToken)
    {
        CheckRead(address, destination.Length, ModbusPdu.MaxReadRegisters);
        var tx = Begin();
        try
        {
            tx.RequestLength = ModbusPdu.EncodeRead(tx.Request, function, address, (ushort)destination.Length);
            var result = await RunAsync(tx, cancellationToken).ConfigureAwait(false);
            if (result.IsOk)
            {
                ModbusPdu.ReadRegisters(tx.ResponsePdu[2..], destination.Span);
            }

            await ModbusTransaction.LeaveTransportThread();
            return result;
        }
        finally
        {
            Master.ReturnTransaction(tx);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<ModbusResult> ReadBitsAsync(ModbusFunctionCode function, ushort address, Memory<bool> destination,
        CancellationToken cancellationToken)
    {
        CheckRead(address, destination.Length, ModbusPdu.MaxReadBits);
        var tx = Begin();
        try
        {
            tx.RequestLength = ModbusPdu.EncodeRead(tx.Request, function, address, (ushort)destination.Length);
            var result = await RunAsync(tx, cancellationToken).ConfigureAwait(false);
            if (result.IsOk)
            {
                ModbusPdu.ReadBits(tx.ResponsePdu[2..], destination.Span);
            }

            await ModbusTransaction.LeaveTransportThread();
            return result;
        }
        finally
        {
            Master.ReturnTransaction(tx);
        }
    }

    /// <summary>
    /// Runs an encoded transaction under this unit's policy (the point reader passes its own, reused transactions). May
    /// complete inline on a transport thread: public callers end with <see cref="ModbusTransaction.LeaveTransportThread"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<ModbusResult> RunAsync(ModbusTransaction tx, CancellationToken cancellationToken)
    {
        var status = await Master.ExecuteAsync(tx, Options, cancellationToken).ConfigureAwait(false);
        return status == ModbusStatus.Ok
            ? ModbusResult.Ok
            : new ModbusResult(status, status == ModbusStatus.Exception ? tx.ExceptionCode : ModbusExceptionCode.None, tx.Error);
    }

    private ModbusTransaction Begin()
    {
        var tx = Master.RentTransaction();
        tx.BeginRequest(UnitId);
        return tx;
    }

    private void CheckRead(ushort address, int count, int max)
    {
        if (UnitId == 0 && Master.Settings.Transport != ModbusTransportKind.Tcp)
        {
            throw new InvalidOperationException("Unit 0 is the broadcast address: it takes writes only (no device answers a broadcast read).");
        }

        CheckRange(address, count, max, "count");
    }

    private static void CheckRange(ushort address, int count, int max, string name)
    {
        if (count < 1 || count > max)
        {
            throw new ArgumentOutOfRangeException(name, count, $"a Modbus request carries 1–{max} items");
        }

        if (address + count > 65536)
        {
            throw new ArgumentOutOfRangeException(name, count, $"address {address} + {count} runs past 65535");
        }
    }
}
