import Foundation
import KubeModels

/// A PATCH body and its kind.
public enum Patch: Sendable, Hashable {
    /// RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge, `null` deletes,
    /// lists are replaced whole.
    case merge(JSONValue)
    /// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`): lists with a
    /// merge key (conditions by `type`, containers by `name`) merge item by item. Built-in types only.
    case strategicMerge(JSONValue)
    /// RFC 6902 JSON patch (`application/json-patch+json`): a list of operations.
    case json([JSONPatchOperation])
    /// Server-side apply (`application/apply-patch+yaml`; JSON is valid YAML). Needs a field manager.
    case apply(JSONValue)

    var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .json: return "application/json-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    /// Merge-style patches (and apply) converge when repeated; a JSON patch may not (array
    /// appends, `test` ops), so it is retried only when the server certainly did not run it.
    var retryClass: RetryClass {
        switch self {
        case .merge, .strategicMerge, .apply: return .idempotent
        case .json: return .unexecutedOnly
        }
    }

    func body() throws -> Data {
        switch self {
        case .merge(let value), .strategicMerge(let value), .apply(let value):
            return try value.serialized(sortedKeys: false)
        case .json(let operations):
            return try JSONEncoder().encode(operations)
        }
    }
}

/// One RFC 6902 operation.
public struct JSONPatchOperation: Sendable, Hashable, Codable {
    public enum Op: String, Sendable, Hashable, Codable {
        case add, remove, replace, move, copy, test
    }

    public var op: Op
    /// A JSON pointer; escape `/` in keys as `~1` and `~` as `~0` (see ``escape(_:)``).
    public var path: String
    public var value: JSONValue?
    public var from: String?

    public init(op: Op, path: String, value: JSONValue? = nil, from: String? = nil) {
        self.op = op
        self.path = path
        self.value = value
        self.from = from
    }

    /// Escapes one key for use in a JSON pointer (`node.kubernetes.io/x` → `node.kubernetes.io~1x`).
    public static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

/// Options that go with a PATCH.
public struct PatchOptions: Sendable, Hashable {
    /// The field manager recorded in `managedFields` (required for ``Patch/apply(_:)``).
    public var fieldManager: String?
    /// Server-side apply only: take ownership of fields other managers own.
    public var force: Bool
    /// Ask the server to validate but not persist.
    public var dryRun: Bool

    public init(fieldManager: String? = nil, force: Bool = false, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.force = force
        self.dryRun = dryRun
    }
}
