import ArgumentParser

/// `mend-drainer`: cordons and drains nodes that are sick, within a safety budget.
struct MendDrainer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mend-drainer",
        abstract: "Cordon and drain Kubernetes nodes whose conditions say they are broken (Draino-style rules).",
        subcommands: [RunCommand.self, PlanCommand.self, ValidateCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// Runs the command line (inside an `async` function so the async `main()` is chosen).
func runMendDrainer() async {
    await MendDrainer.main()
}

await runMendDrainer()
