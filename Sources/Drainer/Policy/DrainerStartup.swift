/// The start-up order every mend-drainer command follows: the policy is loaded and validated
/// first, and only a valid policy leads to a cluster connection. A bad configuration therefore
/// fails with a clear message before any API call.
public enum DrainerStartup {
    /// Loads the policy, then calls `connect` (never called when the policy is invalid).
    public static func prepare<Connection>(
        configPath: String?, overrides: DrainerOverrides, connect: () throws -> Connection
    ) throws -> (policy: DrainerPolicy, connection: Connection) {
        let policy = try DrainerConfigLoader.load(path: configPath, overrides: overrides)
        return (policy, try connect())
    }
}
