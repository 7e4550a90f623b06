import Foundation
import Yams

/// One `--set path=value` flag (or a typed flag mapped to a field), applied over the file.
public struct ConfigOverride: Sendable, Hashable {
    /// Dotted field path, e.g. `drain.budget.maxConcurrentDrains`.
    public var path: String
    /// The value, read as YAML (`3`, `true`, `10m`, `[a, b]`).
    public var value: String
    /// How the user wrote it, for error messages (default `--set path=value`).
    public var flag: String

    public init(path: String, value: String, flag: String? = nil) {
        self.path = path
        self.value = value
        self.flag = flag ?? "--set \(path)=\(value)"
    }

    /// Parses `path=value` as given to `--set`.
    public init(parsing text: String) throws(ConfigError) {
        guard let equals = text.firstIndex(of: "="), equals > text.startIndex else {
            throw .invalidOverride(flag: "--set \(text)", expected: "path=value, e.g. --set drain.budget.maxConcurrentDrains=2")
        }
        self.init(path: String(text[..<equals]), value: String(text[text.index(after: equals)...]))
    }
}

/// Loads a program's configuration: defaults, then the YAML file, then flags; decoded strictly
/// and validated, so a program starts only with a configuration known to be good.
///
/// ```swift
/// let config = try ConfigLoader.load(DrainerConfig.self, file: "/etc/mend/drainer.yaml",
///                                    overrides: options.overrides)
/// ```
public enum ConfigLoader {
    /// Reads, merges, decodes and validates. `file: nil` uses the defaults and flags only.
    ///
    /// - Throws: ``ConfigError``, naming the file, field, value and expectation.
    public static func load<C: ValidatableConfiguration>(
        _ type: C.Type, file: String?, overrides: [ConfigOverride] = []
    ) throws(ConfigError) -> C {
        let text: String?
        if let file {
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw .unreadable(file: file, reason: Self.reason(error))
            }
        } else {
            text = nil
        }
        return try load(C.self, yaml: text, source: file ?? "(no file)", overrides: overrides)
    }

    /// Like ``load(_:file:overrides:)`` from text already in memory (`source` names it in errors).
    public static func load<C: ValidatableConfiguration>(
        _ type: C.Type, yaml: String?, source: String, overrides: [ConfigOverride] = []
    ) throws(ConfigError) -> C {
        let root = try tree(C.self, yaml: yaml, source: source, overrides: overrides)
        let config = try ConfigDecoder().decode(C.self, from: root)
        var validator = ConfigValidator { path in
            let node = root.node(at: splitFieldPath(path))
            return (node?.location ?? ConfigLocation(source: source), node?.display)
        }
        config.validate(&validator)
        switch validator.problems.count {
        case 0: return config
        case 1: throw validator.problems[0]
        default: throw .several(validator.problems)
        }
    }

    /// The configuration in normal form (sorted keys, durations as `1h30m0s`), for `check-config`.
    public static func render<C: Encodable>(_ config: C) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        return try encoder.encode(config)
    }

    /// Validates a file and returns its normal form: what a `check-config` command prints.
    public static func check<C: ValidatableConfiguration>(
        _ type: C.Type, file: String?, overrides: [ConfigOverride] = []
    ) throws -> String {
        try render(try load(C.self, file: file, overrides: overrides))
    }

    static func tree<C: ValidatableConfiguration>(
        _ type: C.Type, yaml: String?, source: String, overrides: [ConfigOverride]
    ) throws(ConfigError) -> ConfigNode {
        let defaultsText: String
        do {
            defaultsText = try YAMLEncoder().encode(C.defaults)
        } catch {
            preconditionFailure("\(C.self).defaults cannot be encoded: \(error)")
        }
        // Defaults have no position a user could look up: they are located as "(default)".
        var root = try ConfigNode.parse(defaultsText, source: "defaults").relocated(to: ConfigLocation(source: "(default)"))
        if let yaml {
            let file = try ConfigNode.parse(yaml, source: source)
            guard case .mapping = file else {
                throw .wrongType(location: file.location, path: "(root)", value: file.display, expected: "a mapping of fields")
            }
            root = root.merging(file)
        }
        for override in overrides {
            let segments = override.path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !segments.isEmpty, !segments.contains(where: \.isEmpty) else {
                throw .invalidOverride(flag: override.flag, expected: "a dotted field path such as drain.dryRun")
            }
            let value: ConfigNode
            do {
                // An empty value is the empty string, not an empty document.
                value = override.value.isEmpty
                    ? .scalar("", plain: false, ConfigLocation(source: override.flag))
                    : try ConfigNode.parse(override.value, source: override.flag)
            } catch {
                throw .invalidOverride(flag: override.flag, expected: "a YAML value (\(error))")
            }
            root = root.setting(value.relocated(to: ConfigLocation(source: override.flag)), at: segments[...])
        }
        return root
    }

    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        if ns.domain == NSCocoaErrorDomain && ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }
}

extension ConfigNode {
    /// The same tree with every location replaced (flag values have no file position).
    func relocated(to location: ConfigLocation) -> ConfigNode {
        switch self {
        case .scalar(let text, let plain, _): return .scalar(text, plain: plain, location)
        case .mapping(let pairs, _): return .mapping(pairs.map { ($0.key, $0.value.relocated(to: location)) }, location)
        case .sequence(let items, _): return .sequence(items.map { $0.relocated(to: location) }, location)
        }
    }
}
