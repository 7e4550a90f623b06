/// Builds `User-Agent` values like kubectl's: `mend-drainer/0.1.0 (linux/amd64)`.
public enum UserAgent {
    /// `program/version (os/arch)`.
    public static func make(program: String, version: String) -> String {
        "\(program)/\(version) (\(operatingSystem)/\(architecture))"
    }

    /// The Go-style OS name (`linux`, `darwin`).
    public static var operatingSystem: String {
        #if os(Linux)
            return "linux"
        #elseif os(macOS)
            return "darwin"
        #else
            return "unknown"
        #endif
    }

    /// The Go-style architecture name (`amd64`, `arm64`).
    public static var architecture: String {
        #if arch(x86_64)
            return "amd64"
        #elseif arch(arm64)
            return "arm64"
        #else
            return "unknown"
        #endif
    }
}
