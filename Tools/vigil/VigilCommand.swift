/// The top-level `vigil` command: dispatches to subcommands.
enum VigilCommand {
    static func main(_ arguments: [String]) -> Int32 {
        print("vigil: see --help")
        return 0
    }
}
