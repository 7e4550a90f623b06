import ArgumentParser

/// `mend-autoscaler`: sizes AWS Auto Scaling Groups from pending pods and removes unneeded nodes.
struct MendAutoscaler: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mend-autoscaler",
        abstract: "Raise AWS Auto Scaling Groups for pods that cannot be scheduled; remove empty, underused and drained nodes.",
        subcommands: [RunCommand.self, PlanCommand.self, ValidateCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// Runs the command line (inside an `async` function so the async `main()` is chosen).
func runMendAutoscaler() async {
    await MendAutoscaler.main()
}

await runMendAutoscaler()
