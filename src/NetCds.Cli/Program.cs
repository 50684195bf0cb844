using NetCds.Cli;

// The composition root: the one place the CLI chooses the system clock (BannedSymbols.txt).
#pragma warning disable RS0030
return CommandLine.Run(args, Console.Out, Console.Error, TimeProvider.System);
#pragma warning restore RS0030
