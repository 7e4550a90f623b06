import Foundation
import KubeModels

/// Server-side apply, simplified: the applied configuration is created when the object is new,
/// otherwise merged into the live object with strategic-merge semantics. Each manager's entry in
/// `metadata.managedFields` records the fields of its last applied configuration. Ownership
/// conflicts between managers are not detected (so `force` changes nothing), and fields a
/// manager stops applying are not removed.
extension ClusterStore {
    @discardableResult
    public func apply(_ resource: ResourceDescriptor, namespace: String?, name: String, body: [UInt8],
                      subresource: Subresource = .main, options: WriteOptions = WriteOptions(),
                      fieldManager: String?, force: Bool = false) throws(APIError) -> JSONValue {
        guard let manager = fieldManager, !manager.isEmpty else {
            throw APIError.badRequest("PATCH requests with an apply patch must set the fieldManager parameter")
        }
        let config = try YAMLDocument.parse(body)
        guard case .object = config else { throw APIError.badRequest("the applied configuration must be an object") }
        if let configName = config[path: ["metadata", "name"]]?.stringValue, configName != name {
            throw APIError.badRequest("the name of the object (\(configName)) does not match the name on the URL (\(name))")
        }
        let now = clock.now
        let entry: JSONValue = [
            "manager": .string(manager), "operation": "Apply", "apiVersion": .string(resource.apiVersion),
            "time": .string(Timestamps.format(now)), "fieldsType": "FieldsV1",
            "fieldsV1": Self.fieldSet(config, schema: PatchSchema.for(resource), path: ""),
        ]
        func withEntry(_ object: JSONValue) -> JSONValue {
            var object = object
            var fields = object[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            fields.removeAll { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply" }
            fields.append(entry)
            object["metadata"]?["managedFields"] = .array(fields)
            return object
        }
        return try state.withLock { (s) throws(APIError) -> JSONValue in
            guard let old = s.object(resource, namespace: namespace, name: name) else {
                guard subresource == .main else { throw APIError.notFound(resource, name: name) }
                var object = config
                if object["metadata"] == nil { object["metadata"] = .object([:]) }
                object["metadata"]?["name"] = .string(name)
                return s.value(of: try s.create(resource, namespace: namespace, object: withEntry(object), options: options, now: now))
            }
            var patch = config
            patch["metadata"]?["managedFields"] = nil
            let merged: JSONValue
            do {
                merged = try StrategicMergePatch(schema: PatchSchema.for(resource)).apply(patch, to: old.value)
            } catch {
                throw APIError.badRequest(String(describing: error))
            }
            var proposed = withEntry(merged)
            if config[path: ["metadata", "resourceVersion"]] == nil {
                proposed["metadata"]?["resourceVersion"] = .string(String(old.resourceVersion))
            }
            return s.value(of: try s.update(resource, old: old, proposed: proposed, subresource: subresource, options: options, now: now))
        }
    }

    /// The `fieldsV1` set of an applied configuration (`f:` for fields, `k:` for keyed list items).
    static func fieldSet(_ value: JSONValue, schema: PatchSchema, path: String) -> JSONValue {
        guard case .object(let members) = value else { return .object([:]) }
        var set: [String: JSONValue] = [:]
        for (key, child) in members {
            if path.isEmpty, key == "apiVersion" || key == "kind" { continue }
            if path == "metadata", key == "name" || key == "namespace" || key == "managedFields" || key == "resourceVersion" { continue }
            let childPath = path.isEmpty ? key : path + "." + key
            switch child {
            case .object:
                set["f:" + key] = fieldSet(child, schema: schema, path: childPath)
            case .array(let items):
                if case .mergeByKey(let mergeKey)? = schema.strategy(for: childPath) {
                    var listSet: [String: JSONValue] = [:]
                    for item in items {
                        guard let keyValue = item[mergeKey] else { continue }
                        let keyJSON = String(decoding: JSONCodec.serialize([mergeKey: keyValue]), as: UTF8.self)
                        listSet["k:" + keyJSON] = fieldSet(item, schema: schema, path: childPath)
                    }
                    set["f:" + key] = .object(listSet)
                } else {
                    set["f:" + key] = .object([:])
                }
            default:
                set["f:" + key] = .object([:])
            }
        }
        return .object(set)
    }
}
