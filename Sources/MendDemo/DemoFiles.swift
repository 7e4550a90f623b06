import Foundation

/// Finds the repository files the demo reads (the shipped kernel monitor) whether `mend demo` runs
/// from the repository root or from elsewhere with the binary still in the repository's `.build`.
public enum DemoFiles {
    /// A file the demo needs is not where it looked.
    public struct NotFound: Error, CustomStringConvertible {
        public var relativePath: String
        public var searched: [String]
        public var description: String {
            "cannot find \(relativePath) (looked in \(searched.joined(separator: ", "))); run from the repository root or pass its path"
        }
    }

    /// The first existing `relativePath` under the working directory or a parent of the executable.
    public static func locate(_ relativePath: String, executable: String = CommandLine.arguments.first ?? "") throws -> String {
        var bases = [FileManager.default.currentDirectoryPath]
        var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            bases.append(dir.path)
            dir = dir.deletingLastPathComponent()
        }
        for base in bases {
            let candidate = URL(fileURLWithPath: base).appendingPathComponent(relativePath).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        throw NotFound(relativePath: relativePath, searched: bases)
    }
}
