import KubeModels

/// Server-side defaults applied on create, as the API server's strategies do.
enum Defaults {
    static func applyOnCreate(_ resource: ResourceDescriptor, to value: inout JSONValue, keepStatus: Bool) {
        guard resource.group.isEmpty || resource.group == "apps" || resource.group == "policy" else { return }
        switch (resource.group, resource.plural) {
        case ("", "pods"):
            var spec = value["spec"]?.objectValue ?? [:]
            if spec["restartPolicy"] == nil { spec["restartPolicy"] = "Always" }
            if spec["schedulerName"] == nil { spec["schedulerName"] = "default-scheduler" }
            if spec["terminationGracePeriodSeconds"] == nil { spec["terminationGracePeriodSeconds"] = 30 }
            if spec["dnsPolicy"] == nil { spec["dnsPolicy"] = "ClusterFirst" }
            if spec["priority"] == nil { spec["priority"] = 0 }
            value["spec"] = .object(spec)
            if !keepStatus {
                value["status"] = ["phase": "Pending", "qosClass": .string(qosClass(spec))]
            } else if value[path: ["status", "phase"]] == nil {
                value["status"]?["phase"] = "Pending"
                if value["status"] == nil { value["status"] = ["phase": "Pending"] }
            }
        case ("", "namespaces"):
            var status = value["status"]?.objectValue ?? [:]
            status["phase"] = "Active"
            value["status"] = .object(status)
            var spec = value["spec"]?.objectValue ?? [:]
            if spec["finalizers"] == nil { spec["finalizers"] = ["kubernetes"] }
            value["spec"] = .object(spec)
            if value[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] == nil {
                var labels = value[path: ["metadata", "labels"]]?.objectValue ?? [:]
                labels["kubernetes.io/metadata.name"] = value[path: ["metadata", "name"]]
                value["metadata"]?["labels"] = .object(labels)
            }
        case ("", "nodes"):
            break  // Nodes keep the status they register with.
        case ("policy", "poddisruptionbudgets"):
            if !keepStatus {
                value["status"] = ["disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0]
            }
        case ("apps", _):
            if !keepStatus { value["status"] = .object([:]) }
        default:
            break
        }
    }

    /// The pod's QoS class from its containers' requests and limits.
    static func qosClass(_ spec: [String: JSONValue]) -> String {
        let containers = (spec["containers"]?.arrayValue ?? []) + (spec["initContainers"]?.arrayValue ?? [])
        var anySet = false
        var guaranteed = true
        for container in containers {
            let requests = container[path: ["resources", "requests"]]?.objectValue ?? [:]
            let limits = container[path: ["resources", "limits"]]?.objectValue ?? [:]
            if !requests.isEmpty || !limits.isEmpty { anySet = true }
            for resource in ["cpu", "memory"] {
                guard let limit = limits[resource] else { guaranteed = false; continue }
                if let request = requests[resource], request != limit { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}

/// The validation the API server does that clients can run into.
enum Validation {
    static func validateCreate(_ resource: ResourceDescriptor, value: JSONValue, metadata: [String: JSONValue],
                               name: String) throws(APIError) {
        var errors: [FieldError] = []
        if name.isEmpty {
            errors.append(FieldError(.required, field: "metadata.name", detail: "name or generateName is required"))
        } else if let problem = nameProblem(name, resource: resource) {
            errors.append(FieldError(.invalid, field: "metadata.name", value: name, detail: problem))
        }
        errors += specErrors(resource, value)
        if !errors.isEmpty { throw APIError.invalid(resource, name: name, errors: errors) }
    }

    static func validateUpdate(_ resource: ResourceDescriptor, old: JSONValue, new: JSONValue, name: String) throws(APIError) {
        var errors = specErrors(resource, new)
        if resource.group.isEmpty, resource.plural == "pods" {
            let oldNode = old[path: ["spec", "nodeName"]]?.stringValue ?? ""
            let newNode = new[path: ["spec", "nodeName"]]?.stringValue ?? ""
            if !oldNode.isEmpty, oldNode != newNode {
                errors.append(FieldError(.forbidden, field: "spec",
                                         detail: "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"))
            }
        }
        if !errors.isEmpty { throw APIError.invalid(resource, name: name, errors: errors) }
    }

    static func specErrors(_ resource: ResourceDescriptor, _ value: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        if let labels = value[path: ["metadata", "labels"]], !labels.isNull {
            guard let members = labels.objectValue else {
                return [FieldError(.invalid, field: "metadata.labels", detail: "must be an object of strings")]
            }
            for (key, v) in members where v.stringValue == nil {
                errors.append(FieldError(.invalid, field: "metadata.labels", value: key, detail: "label values must be strings"))
            }
        }
        switch (resource.group, resource.plural) {
        case ("", "pods"):
            let containers = value[path: ["spec", "containers"]]?.arrayValue ?? []
            if containers.isEmpty {
                errors.append(FieldError(.required, field: "spec.containers", detail: ""))
            }
            for (i, container) in containers.enumerated() {
                if (container["name"]?.stringValue ?? "").isEmpty {
                    errors.append(FieldError(.required, field: "spec.containers[\(i)].name", detail: ""))
                }
                if (container["image"]?.stringValue ?? "").isEmpty {
                    errors.append(FieldError(.required, field: "spec.containers[\(i)].image", detail: ""))
                }
            }
        case ("", "nodes"):
            errors += taintErrors(value[path: ["spec", "taints"]])
        case ("policy", "poddisruptionbudgets"):
            let spec = value["spec"]
            if spec?["minAvailable"] != nil, spec?["maxUnavailable"] != nil {
                errors.append(FieldError(.invalid, field: "spec", value: "",
                                         detail: "minAvailable and maxUnavailable cannot be both set"))
            }
        default:
            break
        }
        return errors
    }

    static let taintEffects = ["NoExecute", "NoSchedule", "PreferNoSchedule"]

    /// Node taints: a key, a known effect, and no two taints with the same key and effect.
    static func taintErrors(_ taints: JSONValue?) -> [FieldError] {
        guard let taints, !taints.isNull else { return [] }
        guard let list = taints.arrayValue else {
            return [FieldError(.invalid, field: "spec.taints", detail: "must be a list")]
        }
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for (i, taint) in list.enumerated() {
            let key = taint["key"]?.stringValue ?? ""
            let effect = taint["effect"]?.stringValue ?? ""
            if key.isEmpty {
                errors.append(FieldError(.required, field: "spec.taints[\(i)].key", detail: ""))
            }
            if effect.isEmpty {
                errors.append(FieldError(.required, field: "spec.taints[\(i)].effect", detail: ""))
            } else if !taintEffects.contains(effect) {
                errors.append(FieldError(.notSupported, field: "spec.taints[\(i)].effect", value: effect,
                                         detail: "supported values: " + taintEffects.map { "\"\($0)\"" }.joined(separator: ", ")))
            }
            if !key.isEmpty, !effect.isEmpty, !seen.insert(key + "/" + effect).inserted {
                errors.append(FieldError(.duplicate, field: "spec.taints[\(i)]", value: "\(key):\(effect)",
                                         detail: "taints must be unique by key and effect pair"))
            }
        }
        return errors
    }

    /// Why `name` is not a valid object name, or `nil` when it is (DNS subdomain; nodes and
    /// events allow the same).
    static func nameProblem(_ name: String, resource: ResourceDescriptor) -> String? {
        let bytes = Array(name.utf8)
        if bytes.count > 253 { return "must be no more than 253 characters" }
        let ok = bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }
        let alnum: (UInt8) -> Bool = { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
        if !ok || !alnum(bytes.first!) || !alnum(bytes.last!) {
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        }
        return nil
    }
}
