import Foundation

/// A count (`3`) or a percentage of some total (`20%`), like Kubernetes `maxUnavailable`.
public enum CountOrPercent: Sendable, Hashable, Codable, CustomStringConvertible {
    case count(Int)
    case percent(Double)

    /// What the parser accepts, for error messages.
    public static let expectation = "a non-negative count such as 3 or a percentage such as 20%"

    /// Parses `3` or `20%` / `12.5%` (percentages from 0 to 100).
    public init(parsing text: String) throws(ConfigValueError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast()), value >= 0, value <= 100 else {
                throw ConfigValueError(expected: "a percentage from 0% to 100%")
            }
            self = .percent(value)
        } else {
            guard let value = Int(trimmed), value >= 0 else { throw ConfigValueError(expected: Self.expectation) }
            self = .count(value)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(parsing: try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .count(let value): try container.encode(value)
        case .percent: try container.encode(description)
        }
    }

    /// The absolute number out of `total`. Percentages round up (as Kubernetes does for
    /// `maxUnavailable`) unless `roundUp` is false.
    public func resolved(total: Int, roundUp: Bool = true) -> Int {
        switch self {
        case .count(let value): return value
        case .percent(let value):
            let exact = Double(total) * value / 100
            return Int(roundUp ? exact.rounded(.up) : exact.rounded(.down))
        }
    }

    public var description: String {
        switch self {
        case .count(let value): return "\(value)"
        case .percent(let value):
            return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
        }
    }
}

extension CountOrPercent: ConfigScalar {}
