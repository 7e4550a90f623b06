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
            let actual: String
            switch requirement.field {
            case "metadata.name": actual = object.name
            case "metadata.namespace": actual = object.namespace
            default: actual = object.fields[requirement.field] ?? Self.fieldValue(requirement.field, in: object.value)
            }
            if (actual == requirement.value) == requirement.negated { return false }
        }
        return true
    }

    /// The field labels worth precomputing for objects of this kind (the served resources'
    /// field selectors, metadata.name and metadata.namespace come from the object itself).
    static func fieldLabels(kind: String, apiVersion: String) -> [String] {
        fieldLabelsByKind["\(apiVersion)/\(kind)"] ?? []
    }

    private static let fieldLabelsByKind: [String: [String]] = {
        var table: [String: [String]] = [:]
        for r in ResourceCatalog.standard.resources where !r.fieldLabels.isEmpty {
            table["\(r.apiVersion)/\(r.kind)"] = r.fieldLabels
        }
        return table
    }()

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
