import ArgumentParser
import Autoscaler
import MendCore

/// The configuration file and the flags that override it (shared by every subcommand).
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The YAML configuration file (see config/autoscaler.example.yaml).")
    var config: String?

    @Option(name: .long, help: "The cluster's name (discovery tag k8s.io/cluster-autoscaler/<name>).")
    var clusterName: String?

    @Option(name: .customLong("nodes"), help: "A node group as min:max:name (repeatable; replaces the file's explicit groups).")
    var nodes: [String] = []

    @Option(name: .long, help: "The expander chain, e.g. least-waste or priority,least-waste.")
    var expander: String?

    @Option(name: .long, help: "The AWS region.")
    var region: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one field: path=value (repeatable).", valueName: "path=value"))
    var set: [String] = []

    /// The typed flags as overrides, then `--set` in order.
    func overrides(extra: [ConfigOverride] = []) throws(ConfigError) -> [ConfigOverride] {
        var result = extra
        if let clusterName {
            result.append(ConfigOverride(path: "clusterName", value: quoted(clusterName), flag: "--cluster-name \(clusterName)"))
        }
        if !nodes.isEmpty {
            result.append(
                ConfigOverride(
                    path: "nodeGroups.explicit", value: "[" + nodes.map(quoted).joined(separator: ", ") + "]",
                    flag: nodes.map { "--nodes \($0)" }.joined(separator: " ")))
        }
        if let expander { result.append(ConfigOverride(path: "scaleUp.expander", value: quoted(expander), flag: "--expander \(expander)")) }
        if let region { result.append(ConfigOverride(path: "aws.region", value: quoted(region), flag: "--region \(region)")) }
        for text in set { result.append(try ConfigOverride(parsing: text)) }
        return result
    }

    /// Loads and validates the configuration (before any connection is made).
    func load(extra: [ConfigOverride] = []) throws -> AutoscalerConfig {
        do {
            return try ConfigLoader.load(AutoscalerConfig.self, file: config, overrides: try overrides(extra: extra))
        } catch {
            throw ValidationError(error.description)
        }
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

