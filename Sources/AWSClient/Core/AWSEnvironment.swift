import Foundation

/// The process environment and file system as the AWS client sees them.
///
/// Everything that the credential chain, region resolution and endpoint overrides read from the
/// outside world goes through this value, so tests pass a dictionary and a temporary directory
/// instead of mutating the real process environment.
public struct AWSEnvironment: Sendable {
    /// Environment variables (`AWS_REGION`, `AWS_PROFILE`, ...).
    public var variables: [String: String]
    /// The home directory used to find `~/.aws/config` and `~/.aws/credentials`.
    public var homeDirectory: String?
    /// Reads a whole file (shared config files, web identity token files, container auth tokens).
    public var readFile: @Sendable (String) throws -> Data

    /// An environment from explicit values; files are read from the real file system.
    public init(
        variables: [String: String],
        homeDirectory: String? = nil,
        readFile: @escaping @Sendable (String) throws -> Data = { path in
            try Data(contentsOf: URL(fileURLWithPath: path))
        }
    ) {
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.readFile = readFile
    }

    /// The environment of the running process (`ProcessInfo`) and the user's home directory.
    public static var process: AWSEnvironment {
        let variables = ProcessInfo.processInfo.environment
        return AWSEnvironment(variables: variables, homeDirectory: variables["HOME"] ?? NSHomeDirectory())
    }

    /// The value of an environment variable, treating an empty or blank value as unset.
    public subscript(name: String) -> String? {
        guard let value = variables[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// Expands a leading `~` against ``homeDirectory``.
    func expandingHome(_ path: String) -> String {
        guard path.hasPrefix("~"), let home = homeDirectory else { return path }
        return home + path.dropFirst()
    }

    /// Reads a file as UTF-8 text, or `nil` when it does not exist or cannot be read.
    func readTextIfPresent(_ path: String) -> String? {
        guard let data = try? readFile(path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
