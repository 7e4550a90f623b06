import Foundation
import Testing
import Yams

/// The repository and the programs and tools the deployment tests run.
enum Repo {
    /// The repository root (this file is Tests/DeploymentTests/Support.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: url(path), encoding: .utf8)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: url(path).path) }

    /// Every file below `folder` whose name ends in one of `extensions`, as repository paths.
    static func files(under folder: String, extensions: [String]) -> [String] {
        guard let walker = FileManager.default.enumerator(at: url(folder), includingPropertiesForKeys: [.isRegularFileKey])
        else { return [] }
        var found: [String] = []
        // Regular files only: a folder such as scripts/release has no extension either.
        for case let file as URL in walker where extensions.contains(file.pathExtension)
            && (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        {
            found.append(String(file.path.dropFirst(root.path.count + 1)))
        }
        return found.sorted()
    }
}

/// An executable built next to the test bundle (`swift build --build-tests`, which scripts/test runs).
enum BuiltProgram {
    static func path(_ name: String) -> String? {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = folder.appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }
}

/// Tools from the environment: kubectl (`MEND_KUBECTL`) and Python with Helm's SDK (`MEND_PYTHON`).
enum Tools {
    static var kubectl: String? {
        let candidate = ProcessInfo.processInfo.environment["MEND_KUBECTL"] ?? "/usr/bin/kubectl"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    static var python: String {
        ProcessInfo.processInfo.environment["MEND_PYTHON"] ?? "/usr/bin/env"
    }

    static var pythonPrefix: [String] { ProcessInfo.processInfo.environment["MEND_PYTHON"] == nil ? ["python3"] : [] }

    /// Whether `scripts/helm` can run (Python with `helm_python` and `yaml`; scripts/test installs them).
    static let helmAvailable: Bool = {
        guard let result = try? Command.run(python, pythonPrefix + ["-c", "import helm_python, yaml"], timeout: .seconds(60))
        else { return false }
        return result.status == 0
    }()

    /// Runs `scripts/helm` with `arguments`.
    static func helm(_ arguments: [String]) throws -> Command.Result {
        try Command.run(python, pythonPrefix + [Repo.url("scripts/helm").path] + arguments, timeout: .seconds(120))
    }

    /// Runs `kubectl kustomize folder`.
    static func kustomize(_ folder: String) throws -> Command.Result {
        try Command.run(try #require(kubectl), ["kustomize", Repo.url(folder).path], timeout: .seconds(60))
    }
}

/// Runs a program to completion within a time limit, reading its output as it goes.
enum Command {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func run(_ executable: String, _ arguments: [String], input: String? = nil, timeout: Duration) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = Repo.root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes on their own threads so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var stdout = Data(), stderr = Data()
        DispatchQueue.global().async(group: group) { stdout = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { stderr = err.fileHandleForReading.readDataToEndOfFile() }
        let seconds = Double(timeout.components.seconds)
        if group.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            group.wait()
            process.waitUntilExit()
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Kubernetes objects read from YAML documents.
struct KubeObject {
    let body: [String: Any]

    var kind: String { body["kind"] as? String ?? "" }
    var metadata: [String: Any] { body["metadata"] as? [String: Any] ?? [:] }
    var name: String { metadata["name"] as? String ?? "" }
    var namespace: String? { metadata["namespace"] as? String }
    var annotations: [String: String] { metadata["annotations"] as? [String: String] ?? [:] }
    subscript(path: String...) -> Any? { KubeObject.dig(body, path) }

    static func dig(_ value: Any?, _ path: [String]) -> Any? {
        var current = value
        for key in path {
            if let index = Int(key), let list = current as? [Any] {
                current = index < list.count ? list[index] : nil
            } else {
                current = (current as? [String: Any])?[key]
            }
        }
        return current
    }

    /// The pod template's spec of a workload.
    var podSpec: [String: Any]? { self["spec", "template", "spec"] as? [String: Any] }
    var containers: [[String: Any]] { podSpec?["containers"] as? [[String: Any]] ?? [] }

    /// Parses a stream of YAML documents, skipping empty ones.
    static func parseAll(_ yaml: String) throws -> [KubeObject] {
        try Yams.load_all(yaml: yaml).compactMap { $0 as? [String: Any] }.map(KubeObject.init(body:))
    }
}

/// A canonical text of a YAML/JSON value, for equality of parsed documents.
func canonical(_ value: Any) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    return String(decoding: data, as: UTF8.self)
}

/// Writes `text` to a fresh temporary file named `name` and returns its path.
func temporaryFile(named name: String, contents text: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mend-deploy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent(name)
    try text.write(to: file, atomically: true, encoding: .utf8)
    return file.path
}
