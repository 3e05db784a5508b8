using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeNode.Configuration;

/// <summary>
/// Console password hashes, self-describing so the work factor can grow without breaking old entries:
/// <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (salt and hash in base64). PBKDF2 with SHA-256 is what .NET ships without
/// native dependencies; the iteration count follows OWASP's 2023 advice for PBKDF2-HMAC-SHA256.
/// </summary>
public static class PasswordHash
{
    /// <summary>The algorithm tag of the format.</summary>
    public const string Algorithm = "pbkdf2-sha256";

    /// <summary>Iterations of new hashes.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Fewer iterations than this are refused: such a hash is too cheap to brute-force.</summary>
    public const int MinIterations = 100_000;

    // An upper bound keeps a hostile or mistyped hash from pinning a core for minutes at each sign-in.
    private const int MaxIterations = 10_000_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    public static string Hash(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Algorithm}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>True when <paramref name="text"/> is a hash of this format; otherwise <paramref name="reason"/> says why.</summary>
    public static bool IsValid(string text, out string reason) => TryParse(text, out _, out _, out _, out reason);

    /// <summary>Checks <paramref name="password"/> against <paramref name="hash"/> in constant time; false for a malformed hash.</summary>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(hash);
        if (!TryParse(hash, out var iterations, out var salt, out var expected, out _))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool TryParse(string text, out int iterations, out byte[] salt, out byte[] hash, out string reason)
    {
        iterations = 0;
        salt = hash = [];
        var parts = text.Split('$');
        if (parts.Length != 4 || parts[0] != Algorithm)
        {
            reason = $"is not a password hash made by `edgenode passwd` (expected {Algorithm}$ITERATIONS$SALT$HASH); never put a plain password here";
            return false;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations < MinIterations || iterations > MaxIterations)
        {
            reason = $"has {parts[1]} iterations; between {MinIterations} and {MaxIterations} are accepted (run `edgenode passwd` again)";
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            reason = "has a salt or hash that is not base64 (copy the whole line printed by `edgenode passwd`)";
            return false;
        }

        if (salt.Length < 8 || hash.Length < 16)
        {
            reason = "has a salt or hash that is too short (copy the whole line printed by `edgenode passwd`)";
            return false;
        }

        reason = "";
        return true;
    }
}
