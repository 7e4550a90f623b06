import Foundation

/// Why a snapshot or scenario file could not be loaded. Every case names the file; field
/// errors name the field (as a path like `nodeGroups[0].capacity.cpu`), the bad value and what
/// was expected. A failed load leaves the simulation unchanged for scenario errors found by
/// validation (everything is checked before anything is created).
public enum SimulationLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid YAML/JSON.
    case syntax(file: String, detail: String)
    /// A field has a value of the wrong type or out of range.
    case invalidField(file: String, field: String, value: String, expected: String)
    /// A required field is missing.
    case missingField(file: String, field: String, expected: String)
    /// A field the format does not know (often a typo).
    case unknownField(file: String, field: String, allowed: [String])
    /// An object of a kind ClusterSim does not serve.
    case unsupportedKind(file: String, item: String, kind: String)
    /// The store refused an object (validation, duplicate name).
    case rejected(file: String, object: String, reason: String)
    /// The simulation lacks a part the file needs (the cloud, for node groups).
    case partDisabled(file: String, part: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the file: \(reason)"
        case .syntax(let file, let detail):
            "\(file): not valid YAML or JSON: \(detail)"
        case .invalidField(let file, let field, let value, let expected):
            "\(file): \(field): invalid value \(value): expected \(expected)"
        case .missingField(let file, let field, let expected):
            "\(file): \(field) is required: \(expected)"
        case .unknownField(let file, let field, let allowed):
            "\(file): unknown field \(field); allowed here: \(allowed.joined(separator: ", "))"
        case .unsupportedKind(let file, let item, let kind):
            "\(file): \(item): kind \(kind) is not served by ClusterSim"
        case .rejected(let file, let object, let reason):
            "\(file): \(object) was rejected: \(reason)"
        case .partDisabled(let file, let part):
            "\(file): needs the simulation's \(part), which is switched off"
        }
    }
}
