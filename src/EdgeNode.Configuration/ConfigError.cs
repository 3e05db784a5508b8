namespace EdgeNode.Configuration;

/// <summary>One problem of a configuration file, at a 1-based line and column.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Message)
{
    /// <summary>The contract's form: <c>FILE:LINE:COLUMN: message</c>.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>The outcome of loading a configuration file: a valid configuration, or every problem found.</summary>
public sealed record ConfigLoadResult(EdgeNodeConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    /// <summary>True when the file is valid (<see cref="Config"/> is set and there are no errors).</summary>
    public bool IsValid => Config is not null && Errors.Count == 0;
}
