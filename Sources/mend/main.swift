import ArgumentParser

/// `mend`: Mend's command-line tool.
struct Mend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mend",
        abstract: "Self-healing for Kubernetes on AWS.",
        subcommands: [DemoCommand.self, SimCommand.self, AWSCommand.self]
    )
}

/// Runs the command line. (Inside an `async` function the async `main()` is chosen; top-level
/// code would pick the synchronous overload.)
func runMend() async {
    await Mend.main()
}

await runMend()
