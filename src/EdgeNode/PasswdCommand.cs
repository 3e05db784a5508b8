using System.CommandLine;
using System.Text;
using EdgeNode.Configuration;

namespace EdgeNode;

/// <summary>
/// <c>edgenode passwd</c>: reads a password (twice, unechoed, on a terminal; one line from a pipe) and prints the hash
/// to paste into <c>web.users[].passwordHash</c>. Prompts go to stderr so that stdout is the hash alone.
/// </summary>
internal static class PasswdCommand
{
    internal static Command Create()
    {
        var command = new Command("passwd", "read a password and print its hash for web.users[].passwordHash (the console's sign-in)");
        command.SetAction((parse, ct) => Task.FromResult(Run(Console.In, Console.Out, Console.Error, Console.IsInputRedirected)));
        return command;
    }

    internal static int Run(TextReader input, TextWriter output, TextWriter error, bool piped)
    {
        string? password;
        if (piped)
        {
            password = input.ReadLine();
            if (string.IsNullOrEmpty(password))
            {
                error.WriteLine("edgenode passwd: no password on standard input");
                return Cli.ExitInvalidConfig;
            }
        }
        else
        {
            password = ReadHidden(error, "Password: ");
            if (string.IsNullOrEmpty(password))
            {
                error.WriteLine("edgenode passwd: an empty password is not accepted");
                return Cli.ExitInvalidConfig;
            }

            var again = ReadHidden(error, "Password again: ");
            if (again != password)
            {
                error.WriteLine("edgenode passwd: the passwords differ; nothing printed");
                return Cli.ExitInvalidConfig;
            }
        }

        if (password.Length < 8)
        {
            error.WriteLine("edgenode passwd: warning: a password under 8 characters is easy to guess");
        }

        output.WriteLine(PasswordHash.Hash(password));
        return Cli.ExitOk;
    }

    private static string? ReadHidden(TextWriter prompt, string text)
    {
        prompt.Write(text);
        prompt.Flush();
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                prompt.WriteLine();
                return password.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
    }
}
