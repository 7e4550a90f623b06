/// Collects every problem in a decoded configuration, each tied to its field and source.
///
/// Programs implement ``ValidatableConfiguration/validate(_:)`` with calls such as
/// `v.check(drain.budget.maxConcurrentDrains, at: "drain.budget.maxConcurrentDrains", in: 1...100)`.
/// The loader fills in where each field came from (file position or flag).
public struct ConfigValidator: Sendable {
    /// The problems found so far.
    public private(set) var problems: [ConfigError] = []
    let locate: @Sendable (String) -> (ConfigLocation, String?)

    init(locate: @escaping @Sendable (String) -> (ConfigLocation, String?)) { self.locate = locate }

    /// Records a problem at `path` unless `condition` holds.
    public mutating func check(
        _ condition: Bool, at path: String, value: some CustomStringConvertible, expected: String
    ) {
        guard !condition else { return }
        report(at: path, value: "\(value)", expected: expected)
    }

    /// Records a problem at `path` (for rules that need more than one comparison).
    public mutating func report(at path: String, value: String, expected: String) {
        let (location, _) = locate(path)
        problems.append(.invalidValue(location: location, path: path, value: value, expected: expected))
    }

    /// Requires an integer within `range`.
    public mutating func check<T: BinaryInteger & Sendable>(_ value: T, at path: String, in range: ClosedRange<T>) {
        check(range.contains(value), at: path, value: "\(value)", expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
    }

    /// Requires a number within `range`.
    public mutating func check(_ value: Double, at path: String, in range: ClosedRange<Double>) {
        check(range.contains(value), at: path, value: "\(value)", expected: "a number from \(range.lowerBound) to \(range.upperBound)")
    }

    /// Requires a duration within `range` (bounds written in Go syntax in the message).
    public mutating func check(_ value: GoDuration, at path: String, in range: ClosedRange<GoDuration>) {
        check(
            range.contains(value), at: path, value: value,
            expected: "a duration from \(range.lowerBound) to \(range.upperBound)")
    }

    /// Requires a non-empty string.
    public mutating func checkNotEmpty(_ value: String, at path: String) {
        check(!value.trimmingCharacters(in: .whitespaces).isEmpty, at: path, value: "\"\(value)\"", expected: "a non-empty value")
    }
}

/// A program configuration: decodable from YAML, printable in normal form, with defaults for
/// every field and validation for what types alone cannot express.
public protocol ValidatableConfiguration: Codable, Sendable {
    /// The value of every field the file leaves out. The file is merged over these (mappings key
    /// by key, lists replaced whole), then `--set` flags over the result.
    static var defaults: Self { get }

    /// Reports out-of-range values and cross-field rules to `validator`.
    func validate(_ validator: inout ConfigValidator)
}

import Foundation
