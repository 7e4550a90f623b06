import ArgumentParser
import Drainer
import MendCore

/// Flags shared by every subcommand: where the policy and the cluster are.
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: "The YAML policy file (see config/drainer.example.yaml).")
    var config: String?

    @Option(name: .customLong("condition"), help: "A drain rule in Draino syntax, e.g. KernelDeadlock=True,10m (repeatable; replaces the file's rules).")
    var conditions: [String] = []

    @Option(name: .long, help: "Only nodes matching this label selector (set-based allowed), e.g. 'role=worker,zone in (a,b)'.")
    var nodeSelector: String?

    @Option(name: .long, help: "At most this many nodes draining at once.")
    var maxConcurrentDrains: String?

    @Option(name: .long, help: "At most this many selected nodes cordoned by Mend: a count (3) or a share (10%).")
    var maxCordoned: String?

    @Option(name: .long, help: "How long a drain may take before it is reported as stuck (Go duration, e.g. 30m).")
    var drainTimeout: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override any field of the file: path=value, e.g. surge.enabled=true (repeatable).", valueName: "path=value"))
    var set: [String] = []

    var overrides: DrainerOverrides {
        DrainerOverrides(
            conditions: conditions.isEmpty ? nil : conditions, nodeSelector: nodeSelector,
            maxConcurrentDrains: maxConcurrentDrains, maxCordoned: maxCordoned, drainTimeout: drainTimeout, set: set)
    }

    /// Loads and validates the configuration (before any API call).
    func load(runtime: [ConfigOverride] = []) throws -> DrainerConfig {
        do {
            return try DrainerConfig.load(path: config, overrides: overrides, runtime: runtime)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

