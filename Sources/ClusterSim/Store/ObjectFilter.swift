import KubeModels

/// Which objects a list or watch wants: namespace, labels, fields.
public struct ObjectFilter: Sendable {
    /// One `field=value` / `field!=value` requirement of a field selector.
    public struct FieldRequirement: Sendable, Equatable {
        public var field: String
        public var value: String
        public var negated: Bool

        public init(field: String, value: String, negated: Bool = false) {
            self.field = field
            self.value = value
            self.negated = negated
        }
    }

    /// Only this namespace (`nil`: all namespaces, or a cluster-scoped resource).
    public var namespace: String?
    /// Label predicate (`nil`: everything).
    public var labels: (@Sendable ([String: String]) -> Bool)?
    public var fields: [FieldRequirement]

    public init(namespace: String? = nil, labels: (@Sendable ([String: String]) -> Bool)? = nil,
                fields: [FieldRequirement] = []) {
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
    }

    func matches(_ object: StoredObject) -> Bool {
        if let namespace, object.namespace != namespace { return false }
        if let labels, !labels(object.labels) { return false }
        for requirement in fields {
            let actual = Self.fieldValue(requirement.field, in: object.value)
            if (actual == requirement.value) == requirement.negated { return false }
        }
        return true
    }

    /// The value a field selector sees for `field` (as the API server's field label conversion does).
    static func fieldValue(_ field: String, in object: JSONValue) -> String {
        switch field {
        case "metadata.name": return object[path: ["metadata", "name"]]?.stringValue ?? ""
        case "metadata.namespace": return object[path: ["metadata", "namespace"]]?.stringValue ?? ""
        case "spec.unschedulable": return object[path: ["spec", "unschedulable"]]?.boolValue == true ? "true" : "false"
        case "spec.hostNetwork": return object[path: ["spec", "hostNetwork"]]?.boolValue == true ? "true" : "false"
        case "source": return object[path: ["source", "component"]]?.stringValue ?? ""
        default:
            let value = object[path: field.split(separator: ".").map(String.init)]
            switch value {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .bool(let b): return b ? "true" : "false"
            default: return ""
            }
        }
    }
}
