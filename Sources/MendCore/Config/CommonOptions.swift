import ArgumentParser

/// What every program's configuration has at its top level: `dryRun`, `logging`, `server`.
public protocol ProgramConfiguration: ValidatableConfiguration {
    /// Log every write instead of sending it.
    var dryRun: Bool { get }
    /// The `logging:` section.
    var logging: LoggingSettings { get }
    /// The `server:` section (health and metrics).
    var server: ServerSettings { get }
}

/// The flags every program shares; include with `@OptionGroup var common: CommonOptions`.
///
/// Flags override the file: `--dry-run` sets `dryRun`, `--log-level` sets `logging.level`,
/// `--log-format` sets `logging.format`, `--health-address` sets `server.address`, and
/// `--set path=value` sets any field.
public struct CommonOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "The program's YAML configuration file.")
    public var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one field: path=value (repeatable).", valueName: "path=value"))
    public var set: [String] = []

    @Flag(name: .long, help: "Log every write (patch, evict, scale) instead of sending it.")
    public var dryRun: Bool = false

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    public var logLevel: String?

    @Option(name: .long, help: "auto (text on a terminal, JSON otherwise), json or text.")
    public var logFormat: String?

    @Option(name: .long, help: "Health and metrics address, host:port or :port.")
    public var healthAddress: String?

    public init() {}

    /// The flags as overrides, typed flags first, then `--set` in order (later wins).
    public func overrides() throws(ConfigError) -> [ConfigOverride] {
        var result: [ConfigOverride] = []
        if dryRun { result.append(ConfigOverride(path: "dryRun", value: "true", flag: "--dry-run")) }
        if let logLevel { result.append(ConfigOverride(path: "logging.level", value: logLevel, flag: "--log-level \(logLevel)")) }
        if let logFormat {
            result.append(ConfigOverride(path: "logging.format", value: logFormat, flag: "--log-format \(logFormat)"))
        }
        if let healthAddress {
            result.append(
                ConfigOverride(path: "server.address", value: "\"\(healthAddress)\"", flag: "--health-address \(healthAddress)"))
        }
        for text in set { result.append(try ConfigOverride(parsing: text)) }
        return result
    }
}

extension ConfigLoader {
    /// Loads `--config` with every flag applied.
    public static func load<C: ValidatableConfiguration>(_ type: C.Type, options: CommonOptions) throws(ConfigError) -> C {
        try load(C.self, file: options.config, overrides: try options.overrides())
    }
}
