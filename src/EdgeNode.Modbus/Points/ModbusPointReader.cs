using System.Runtime.CompilerServices;

namespace EdgeNode.Modbus;

/// <summary>The value or failure of one point after a poll.</summary>
/// <param name="Status">Ok, or why the point's read failed.</param>
/// <param name="Value">The value when <see cref="IsGood"/>.</param>
/// <param name="ExceptionCode">The Modbus exception when <paramref name="Status"/> is <see cref="ModbusStatus.Exception"/>.</param>
/// <param name="Error">A readable reason when the read failed.</param>
public readonly record struct ModbusPointResult(ModbusStatus Status, ModbusValue Value, ModbusExceptionCode ExceptionCode = ModbusExceptionCode.None,
    string? Error = null)
{
    /// <summary>True when the value is fresh.</summary>
    public bool IsGood => Status == ModbusStatus.Ok;
}

/// <summary>Device-level outcome of a poll: what the engine needs to decide life and death (DBIRTH/DDEATH).</summary>
/// <param name="Requests">Read requests the plan has.</param>
/// <param name="Succeeded">Requests answered with data.</param>
/// <param name="Answered">Requests the device answered at all (data or an exception response from the device itself).</param>
/// <param name="FailureStatus">Status of the first failed request (<see cref="ModbusStatus.Ok"/> when none failed).</param>
/// <param name="Error">Reason of the first failed request.</param>
public readonly record struct ModbusReadOutcome(int Requests, int Succeeded, int Answered, ModbusStatus FailureStatus, string? Error)
{
    /// <summary>Every request returned data.</summary>
    public bool AllGood => Succeeded == Requests;

    /// <summary>
    /// The device did not answer any request (timeouts, link failure, back-off, gateway 0A/0B): declare it dead. A
    /// Modbus exception on some block is an answer: those points are bad but the device is alive.
    /// </summary>
    public bool IsDeviceDead => Requests > 0 && Answered == 0;
}

/// <summary>
/// Reads one device's points per a <see cref="ModbusReadPlan"/>: one reused transaction and buffer per block, so a
/// poll allocates nothing (a changed string allocates its new value). On an RTU bus the blocks go one after the other
/// (a dead unit then fails its first block and the rest are skipped by the unit back-off); on TCP with
/// <see cref="ModbusLinkSettings.MaxInFlight"/> &gt; 1 the first block goes alone (a probe) and the rest together.
/// Not thread-safe: one poll at a time.
/// </summary>
public sealed class ModbusPointReader
{
    private readonly ModbusUnitClient _unit;
    private readonly Block[] _blocks;
    private readonly ModbusPointResult[] _results;
    private readonly ushort[]?[] _stringRaw;
    private readonly ValueTask[] _pending;

    /// <summary>Prepares the buffers for <paramref name="plan"/>.</summary>
    public ModbusPointReader(ModbusUnitClient unit, ModbusReadPlan plan)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(plan);
        _unit = unit;
        Plan = plan;
        _blocks = plan.Blocks.Select(b => new Block(b)).ToArray();
        _results = new ModbusPointResult[plan.Points.Count];
        _stringRaw = new ushort[]?[plan.Points.Count];
        _pending = new ValueTask[_blocks.Length];
    }

    /// <summary>The plan.</summary>
    public ModbusReadPlan Plan { get; }

    /// <summary>
    /// On a TCP link, lets <see cref="ReadAsync"/> return on the connection's reader (a pool thread) instead of handing
    /// the caller to another pool thread: one thread switch less per poll, for a caller whose code after the poll is
    /// short and never blocks (the engine's scan loop decodes, posts and re-arms a timer). Off by default: other
    /// callers' code would delay the responses of the link's other units. RTU links always leave their bus thread.
    /// </summary>
    public bool ContinueOnTcpReader { get; init; }

    /// <summary>Per point (same indices as <see cref="ModbusReadPlan.Points"/>), from the last <see cref="ReadAsync"/>.</summary>
    public IReadOnlyList<ModbusPointResult> Results => _results;

    /// <summary>The result of each block of the last poll (diagnostics).</summary>
    public ModbusResult BlockResult(int block) => _blocks[block].Result;

    /// <summary>Reads every block and decodes every point.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusReadOutcome> ReadAsync(CancellationToken cancellationToken = default)
    {
        var blocks = _blocks;
        if (blocks.Length > 0)
        {
            if (_unit.Master.IsSerialized || _unit.Master.MaxInFlight == 1)
            {
                foreach (var block in blocks)
                {
                    await ReadBlockAsync(block, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await ReadBlockAsync(blocks[0], cancellationToken).ConfigureAwait(false);
                await ReadRestConcurrentlyAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // The last block completed inline on the transport thread: decode and return on the thread pool (or, when the
        // caller asked for it, on the TCP reader, which is a pool thread too).
        if (!ContinueOnTcpReader || _unit.Master.IsSerialized)
        {
            await ModbusTransaction.LeaveTransportThread();
        }

        return Decode();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadRestConcurrentlyAsync(CancellationToken cancellationToken)
    {
        var pending = _pending;
        for (var i = 1; i < _blocks.Length; i++)
        {
            pending[i] = ReadBlockAsync(_blocks[i], cancellationToken);
        }

        // Await every one (each exactly once) even if an earlier one throws, so no block is left running.
        Exception? first = null;
        for (var i = 1; i < _blocks.Length; i++)
        {
            try
            {
                await pending[i].ConfigureAwait(false);
            }
            catch (OperationCanceledException ex)
            {
                first ??= ex;
            }
            finally
            {
                pending[i] = default;
            }
        }

        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadBlockAsync(Block block, CancellationToken cancellationToken)
    {
        var tx = block.Transaction;
        tx.BeginRequest(_unit.UnitId);
        tx.RequestLength = ModbusPdu.EncodeRead(tx.Request, block.Definition.Function, (ushort)block.Definition.Address,
            (ushort)block.Definition.Count);
        var result = await _unit.RunAsync(tx, cancellationToken).ConfigureAwait(false);
        block.Result = result;
        if (result.IsOk)
        {
            var data = tx.ResponsePdu[2..];
            if (block.Bits is { } bits)
            {
                ModbusPdu.ReadBits(data, bits);
            }
            else
            {
                ModbusPdu.ReadRegisters(data, block.Registers);
            }
        }
    }

    private ModbusReadOutcome Decode()
    {
        var plan = Plan;
        for (var i = 0; i < _results.Length; i++)
        {
            var block = _blocks[plan.BlockOf(i)];
            var result = block.Result;
            if (!result.IsOk)
            {
                _results[i] = new ModbusPointResult(result.Status, default, result.ExceptionCode, result.Error);
                continue;
            }

            var point = plan.Points[i];
            var offset = plan.OffsetOf(i);
            ModbusValue value;
            if (block.Bits is { } bits)
            {
                value = ModbusValue.FromBool(bits[offset]);
            }
            else
            {
                var registers = block.Registers.AsSpan(offset, point.Count);
                value = point.DataType == ModbusDataType.String ? DecodeString(i, point, registers) : ModbusValueCodec.Decode(point, registers);
            }

            _results[i] = new ModbusPointResult(ModbusStatus.Ok, value);
        }

        int succeeded = 0, answered = 0;
        var failure = ModbusStatus.Ok;
        string? error = null;
        foreach (var block in _blocks)
        {
            var result = block.Result;
            if (result.IsOk)
            {
                succeeded++;
            }
            else if (failure == ModbusStatus.Ok)
            {
                failure = result.Status;
                error = result.Status == ModbusStatus.Exception
                    ? $"exception {(byte)result.ExceptionCode:X2} ({result.ExceptionCode}) reading {block.Definition.Table} {block.Definition.Address}+{block.Definition.Count}"
                    : result.Error;
            }

            if (result.DeviceResponded)
            {
                answered++;
            }
        }

        return new ModbusReadOutcome(_blocks.Length, succeeded, answered, failure, error);
    }

    /// <summary>Reuses the previous string when the registers did not change: no allocation for a steady string.</summary>
    private ModbusValue DecodeString(int index, ModbusPoint point, ReadOnlySpan<ushort> registers)
    {
        var raw = _stringRaw[index];
        var previous = _results[index];
        if (raw is not null && previous.IsGood && registers.SequenceEqual(raw))
        {
            return previous.Value;
        }

        raw ??= _stringRaw[index] = new ushort[registers.Length];
        registers.CopyTo(raw);
        return ModbusValueCodec.Decode(point, registers);
    }

    private sealed class Block
    {
        public Block(ModbusReadBlock definition)
        {
            Definition = definition;
            if (definition.IsBits)
            {
                Bits = new bool[definition.Count];
                Registers = [];
            }
            else
            {
                Registers = new ushort[definition.Count];
            }
        }

        public ModbusReadBlock Definition { get; }

        public ModbusTransaction Transaction { get; } = new();

        public ushort[] Registers { get; }

        public bool[]? Bits { get; }

        public ModbusResult Result { get; set; } = new(ModbusStatus.Timeout, Error: "not read yet");
    }
}
