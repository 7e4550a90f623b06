import MendCore

/// The start-up order every mend-drainer command follows: the configuration is loaded and
/// validated first, and only a valid one leads to a cluster connection. A bad configuration
/// therefore fails with a clear message before any API call.
public enum DrainerStartup {
    /// Loads the configuration, then calls `connect` (never called when it is invalid).
    public static func prepare<Connection>(
        configPath: String?, overrides: DrainerOverrides, runtime: [ConfigOverride] = [], connect: () throws -> Connection
    ) throws -> (config: DrainerConfig, connection: Connection) {
        let config = try DrainerConfig.load(path: configPath, overrides: overrides, runtime: runtime)
        return (config, try connect())
    }
}
