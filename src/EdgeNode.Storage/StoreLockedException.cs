namespace EdgeNode.Storage;

/// <summary>
/// The store file is in use by another process (another edge node on the same path, or a program holding a write
/// lock on the database). Opening it too would interleave two drainers, so the caller must stop or pick another path.
/// </summary>
public sealed class StoreLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StoreLockedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StoreLockedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public StoreLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
