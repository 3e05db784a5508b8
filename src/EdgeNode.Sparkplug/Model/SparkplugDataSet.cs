namespace EdgeNode.Sparkplug;

/// <summary>
/// A table value (<c>Payload.DataSet</c>, Sparkplug 3.0 §6.4.10): named, typed columns (basic types only) and rows of
/// cells. A null cell is written as an empty <c>DataSetValue</c> (the message has no <c>is_null</c>).
/// </summary>
public sealed class SparkplugDataSet
{
    /// <summary>Column names, in order; as many as <see cref="Types"/> [tck-id-payloads-dataset-column-size].</summary>
    public List<string> Columns { get; } = [];

    /// <summary>Column datatypes, in order (basic types) [tck-id-payloads-dataset-types-def].</summary>
    public List<SparkplugDataType> Types { get; } = [];

    /// <summary>The rows; each holds one cell per column, typed as its column.</summary>
    public List<SparkplugValue[]> Rows { get; } = [];

    /// <summary>
    /// <c>num_of_columns</c> as decoded; when null the encoder writes <see cref="Columns"/>.Count. Kept so a decoded
    /// DataSet that disagrees with itself can be seen and re-encoded faithfully.
    /// </summary>
    public ulong? NumberOfColumns { get; set; }

    /// <summary>Adds a column (basic types only: DataSet cells have no fields for the others).</summary>
    public SparkplugDataSet AddColumn(string name, SparkplugDataType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!SparkplugDataTypes.IsBasic(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "DataSet columns take basic types (Int8 … Text) only.");
        }

        Columns.Add(name);
        Types.Add(type);
        return this;
    }

    /// <summary>Adds a row; each cell must be of its column's type (or a null).</summary>
    public SparkplugDataSet AddRow(params SparkplugValue[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != Types.Count)
        {
            throw new ArgumentException($"The row has {cells.Length} cells; the DataSet has {Types.Count} columns.", nameof(cells));
        }

        for (var i = 0; i < cells.Length; i++)
        {
            if (cells[i].DataType != Types[i] && !(cells[i].IsNull && cells[i].DataType == SparkplugDataType.Unknown))
            {
                throw new ArgumentException($"Cell {i} is {SparkplugDataTypes.GetName(cells[i].DataType)}; column '{Columns[i]}' is {SparkplugDataTypes.GetName(Types[i])}.", nameof(cells));
            }
        }

        Rows.Add(cells);
        return this;
    }

    /// <inheritdoc />
    public override string ToString() => SparkplugValueFormatter.Format(this);
}
