// Entry point: hands the arguments to the command dispatcher and exits with its status.
import Glibc

exit(VigilCommand.main(Array(CommandLine.arguments.dropFirst())))
