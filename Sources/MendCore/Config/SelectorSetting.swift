import KubeModels

/// A label selector in configuration, written in kubectl's string form
/// (`node.kubernetes.io/instance-type in (m5.large),!spot`); empty selects everything.
public struct SelectorSetting: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The parsed selector.
    public var query: LabelQuery

    public init(_ query: LabelQuery = .everything) { self.query = query }

    /// What the parser accepts, for error messages.
    public static let expectation = "a label selector such as app=web,tier!=db"

    /// Parses the string form.
    public init(parsing text: String) throws(ConfigValueError) {
        do {
            query = try LabelQuery(parsing: text)
        } catch {
            throw ConfigValueError(expected: "\(Self.expectation) (\(error.description))")
        }
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(query.description)
    }

    /// Whether `labels` satisfy the selector.
    public func matches(_ labels: [String: String]?) -> Bool { query.matches(labels) }

    public var description: String { query.description }
}

extension SelectorSetting: ConfigScalar {}
