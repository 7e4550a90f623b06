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

/// The run-time flags every program's `run` shares; include with
/// `@OptionGroup var runtime: RuntimeOptions`. Each overrides the configuration file:
/// `--dry-run` sets `dryRun`, `--log-level` `logging.level`, `--log-format` `logging.format`,
/// `--health-address` `server.address`.
public struct RuntimeOptions: ParsableArguments, Sendable {
    @Flag(name: .long, help: "Read the cluster as usual but log every write (patch, evict, scale, Event) instead of sending it; no Lease is taken.")
    public var dryRun: Bool = false

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical (default: the file's logging.level, else info).")
    public var logLevel: String?

    @Option(name: .long, help: "Log format: auto (text on a terminal, JSON otherwise), json or text (default: the file's logging.format, else auto).")
    public var logFormat: String?

    @Option(name: .long, help: "Where /healthz, /readyz and /metrics listen: host:port or :port (default: the file's server.address).")
    public var healthAddress: String?

    public init() {}

    /// The flags given, as overrides of the file's `dryRun`, `logging` and `server` fields.
    public var overrides: [ConfigOverride] {
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
        return result
    }
}

/// The flags every program shares; include with `@OptionGroup var common: CommonOptions`:
/// `--config`, the ``RuntimeOptions``, and `--set path=value` for any field.
public struct CommonOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "The program's YAML configuration file.")
    public var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one field: path=value (repeatable).", valueName: "path=value"))
    public var set: [String] = []

    @OptionGroup public var runtime: RuntimeOptions

    public init() {}

    /// The flags as overrides, run-time flags first, then `--set` in order (later wins).
    public func overrides() throws(ConfigError) -> [ConfigOverride] {
        var result = runtime.overrides
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
