using TapeKit.Cli;

return TapeKitCli.Run(args, CliConsole.FromProcess());
