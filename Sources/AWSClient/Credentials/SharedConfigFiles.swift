import Foundation

/// The shared AWS `config` and `credentials` files, parsed and merged per profile.
///
/// Locations come from `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and
/// `~/.aws/credentials`; missing files are simply empty. In `config`, profiles are `[default]` or
/// `[profile name]`; in `credentials` they are `[name]`. Where both files set a key for the same
/// profile, the credentials file wins.
public struct SharedConfigFiles: Sendable, Equatable {
    /// Settings per profile name.
    public var profiles: [String: [String: String]]
    /// The files that were found and read.
    public var files: [String]
    /// The files that were looked for (found or not), for error messages.
    public var searched: [String]

    /// Reads both files from `environment`.
    public static func load(from environment: AWSEnvironment) throws -> SharedConfigFiles {
        let configPath = environment.expandingHome(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config")
        let credentialsPath = environment.expandingHome(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
        var result = SharedConfigFiles(profiles: [:], files: [], searched: [configPath, credentialsPath])
        if let text = environment.readTextIfPresent(configPath) {
            result.files.append(configPath)
            for (section, values) in try parse(text, path: configPath) {
                let name: String
                if section == "default" {
                    name = "default"
                } else if section.hasPrefix("profile ") {
                    name = section.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces)
                } else {
                    continue // sso-session, services and other non-profile sections
                }
                result.profiles[name, default: [:]].merge(values) { _, new in new }
            }
        }
        if let text = environment.readTextIfPresent(credentialsPath) {
            result.files.append(credentialsPath)
            for (section, values) in try parse(text, path: credentialsPath) {
                result.profiles[section, default: [:]].merge(values) { _, new in new }
            }
        }
        return result
    }

    /// Parses INI text into sections of `key = value`; indented lines under a key with an empty
    /// value are sub-settings and are kept as `key.sub`.
    static func parse(_ text: String, path: String) throws -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        var parent: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = String(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw AWSClientError.invalidConfigFile(path: path, line: lineNumber, reason: "section header without ']'")
                }
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else {
                    throw AWSClientError.invalidConfigFile(path: path, line: lineNumber, reason: "empty section name")
                }
                sections.append((name, [:]))
                parent = nil
                continue
            }
            guard !sections.isEmpty else {
                throw AWSClientError.invalidConfigFile(path: path, line: lineNumber, reason: "setting outside any [section]")
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw AWSClientError.invalidConfigFile(path: path, line: lineNumber, reason: "expected 'key = value'")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            // Inline comments need a space before them, as the SDKs read them.
            for marker in [" #", " ;"] {
                if let range = value.range(of: marker) { value = value[..<range.lowerBound].trimmingCharacters(in: .whitespaces) }
            }
            guard !key.isEmpty else {
                throw AWSClientError.invalidConfigFile(path: path, line: lineNumber, reason: "setting without a name")
            }
            let indented = line.first == " " || line.first == "\t"
            if indented, let parent {
                sections[sections.count - 1].1["\(parent).\(key)"] = value
            } else {
                sections[sections.count - 1].1[key] = value
                parent = value.isEmpty ? key : nil
            }
        }
        return sections
    }
}
