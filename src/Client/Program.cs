using OrleansPigmm.Client;

return PigmmCommandLine.Run(args, Console.Out, Console.Error);
