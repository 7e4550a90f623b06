import Foundation
import KubeModels

/// Server-side printing: `meta.k8s.io/v1` `Table` responses with the columns kubectl shows.
enum Tables {
    struct Column {
        var name: String
        var type: String
        var format: String = ""
        var priority: Int = 0
        var description: String
    }

    static func columns(for resource: ResourceDescriptor) -> [Column] {
        let name = Column(name: "Name", type: "string", format: "name",
                          description: "Name must be unique within a namespace.")
        let age = Column(name: "Age", type: "string",
                         description: "CreationTimestamp is a timestamp representing the server time when this object was created.")
        switch (resource.group, resource.plural) {
        case ("", "pods"):
            return [name,
                    Column(name: "Ready", type: "string", description: "The aggregate readiness state of this pod for accepting traffic."),
                    Column(name: "Status", type: "string", description: "The aggregate status of the containers in this pod."),
                    Column(name: "Restarts", type: "string", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                    age,
                    Column(name: "IP", type: "string", priority: 1, description: "IP address allocated to the pod."),
                    Column(name: "Node", type: "string", priority: 1, description: "Name of the node the pod is assigned to.")]
        case ("", "nodes"):
            return [name,
                    Column(name: "Status", type: "string", description: "The status of the node"),
                    Column(name: "Roles", type: "string", description: "The roles of the node"),
                    age,
                    Column(name: "Version", type: "string", description: "Kubelet Version reported by the node."),
                    Column(name: "Internal-IP", type: "string", priority: 1, description: "List of internal IPs for the node."),
                    Column(name: "External-IP", type: "string", priority: 1, description: "List of external IPs for the node.")]
        case ("", "namespaces"):
            return [name, Column(name: "Status", type: "string", description: "The status of the namespace"), age]
        case ("policy", "poddisruptionbudgets"):
            return [name,
                    Column(name: "Min Available", type: "string", description: "The minimum number of pods that must be available."),
                    Column(name: "Max Unavailable", type: "string", description: "The maximum number of pods that may be unavailable."),
                    Column(name: "Allowed Disruptions", type: "integer", description: "Calculated number of pods that may be disrupted at this time."),
                    age]
        case ("", "events"), ("events.k8s.io", "events"):
            return [Column(name: "Last Seen", type: "string", description: "Time since the event was last observed."),
                    Column(name: "Type", type: "string", description: "Type of this event (Normal, Warning)."),
                    Column(name: "Reason", type: "string", description: "Why the action was taken."),
                    Column(name: "Object", type: "string", description: "The object this event is about."),
                    Column(name: "Message", type: "string", description: "A human-readable description of the status of this operation.")]
        case ("", "configmaps"):
            return [name, Column(name: "Data", type: "integer", description: "Number of data entries."), age]
        case ("coordination.k8s.io", "leases"):
            return [name, Column(name: "Holder", type: "string", description: "The holder of the lease."), age]
        case ("apps", "replicasets"):
            return [name,
                    Column(name: "Desired", type: "integer", description: "Number of desired pods."),
                    Column(name: "Current", type: "integer", description: "Number of actual replicas."),
                    Column(name: "Ready", type: "integer", description: "Number of ready replicas."),
                    age]
        case ("apps", "daemonsets"):
            return [name,
                    Column(name: "Desired", type: "integer", description: "The number of nodes that should run the daemon pod."),
                    Column(name: "Current", type: "integer", description: "The number of nodes running at least one daemon pod."),
                    Column(name: "Ready", type: "integer", description: "The number of nodes with a ready daemon pod."),
                    age]
        default:
            return [name, age]
        }
    }

    /// The row's cells; with `now == nil` the Age cell is left `null`, to be filled in when the
    /// row is served (rows are precomputed at write time, ages change with the clock).
    static func cells(for resource: ResourceDescriptor, object: JSONValue, now: Date?) -> [JSONValue] {
        let name = JSONValue.string(object[path: ["metadata", "name"]]?.stringValue ?? "")
        let age: JSONValue = now.map { .string(Self.age(object, now: $0)) } ?? .null
        switch (resource.group, resource.plural) {
        case ("", "pods"):
            let statuses = object[path: ["status", "containerStatuses"]]?.arrayValue ?? []
            let total = object[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
            let ready = statuses.filter { $0["ready"]?.boolValue == true }.count
            let restarts = statuses.reduce(Int64(0)) { $0 + ($1["restartCount"]?.intValue ?? 0) }
            return [name, .string("\(ready)/\(total)"), .string(podStatus(object)), .string(String(restarts)), age,
                    .string(object[path: ["status", "podIP"]]?.stringValue ?? "<none>"),
                    .string(object[path: ["spec", "nodeName"]]?.stringValue ?? "<none>")]
        case ("", "nodes"):
            return [name, .string(nodeStatus(object)), .string(nodeRoles(object)), age,
                    .string(object[path: ["status", "nodeInfo", "kubeletVersion"]]?.stringValue ?? ""),
                    .string(address(object, type: "InternalIP")), .string(address(object, type: "ExternalIP"))]
        case ("", "namespaces"):
            return [name, .string(object[path: ["status", "phase"]]?.stringValue ?? ""), age]
        case ("policy", "poddisruptionbudgets"):
            func show(_ v: JSONValue?) -> JSONValue {
                switch v {
                case .int(let i)?: return .string(String(i))
                case .string(let s)?: return .string(s)
                default: return "N/A"
                }
            }
            return [name, show(object[path: ["spec", "minAvailable"]]), show(object[path: ["spec", "maxUnavailable"]]),
                    .int(object[path: ["status", "disruptionsAllowed"]]?.intValue ?? 0), age]
        case ("", "events"), ("events.k8s.io", "events"):
            let core = resource.group.isEmpty
            let last = object[core ? "lastTimestamp" : "deprecatedLastTimestamp"]?.stringValue
                ?? object["eventTime"]?.stringValue ?? object[path: ["metadata", "creationTimestamp"]]?.stringValue
            let seen = last.flatMap(Timestamps.parse).map { humanDuration((now ?? Date()).timeIntervalSince($0)) } ?? "<unknown>"
            let regarding = object[core ? "involvedObject" : "regarding"]
            let kind = regarding?["kind"]?.stringValue?.lowercased() ?? ""
            let target = kind.isEmpty ? (regarding?["name"]?.stringValue ?? "") : "\(kind)/\(regarding?["name"]?.stringValue ?? "")"
            return [.string(seen), .string(object["type"]?.stringValue ?? ""), .string(object["reason"]?.stringValue ?? ""),
                    .string(target), .string(object[core ? "message" : "note"]?.stringValue ?? "")]
        case ("", "configmaps"):
            let count = (object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0)
            return [name, .int(Int64(count)), age]
        case ("coordination.k8s.io", "leases"):
            return [name, .string(object[path: ["spec", "holderIdentity"]]?.stringValue ?? ""), age]
        case ("apps", "replicasets"):
            return [name, .int(object[path: ["spec", "replicas"]]?.intValue ?? 1),
                    .int(object[path: ["status", "replicas"]]?.intValue ?? 0),
                    .int(object[path: ["status", "readyReplicas"]]?.intValue ?? 0), age]
        case ("apps", "daemonsets"):
            return [name, .int(object[path: ["status", "desiredNumberScheduled"]]?.intValue ?? 0),
                    .int(object[path: ["status", "currentNumberScheduled"]]?.intValue ?? 0),
                    .int(object[path: ["status", "numberReady"]]?.intValue ?? 0), age]
        default:
            return [name, age]
        }
    }

    /// The STATUS column of `kubectl get pods`.
    static func podStatus(_ pod: JSONValue) -> String {
        var reason = pod[path: ["status", "reason"]]?.stringValue ?? pod[path: ["status", "phase"]]?.stringValue ?? "Unknown"
        for status in (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []).reversed() {
            if let waiting = status[path: ["state", "waiting", "reason"]]?.stringValue, !waiting.isEmpty {
                reason = waiting
            } else if let terminated = status[path: ["state", "terminated"]] {
                if let r = terminated["reason"]?.stringValue, !r.isEmpty {
                    reason = r
                } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                    reason = "Signal:\(signal)"
                } else {
                    reason = "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                }
            }
        }
        if pod[path: ["metadata", "deletionTimestamp"]].map({ !$0.isNull }) == true {
            reason = reason == "NodeLost" ? "Unknown" : "Terminating"
        }
        return reason
    }

    static func nodeStatus(_ node: JSONValue) -> String {
        let conditions = node[path: ["status", "conditions"]]?.arrayValue ?? []
        var status = "Unknown"
        if let ready = conditions.first(where: { $0["type"]?.stringValue == "Ready" }) {
            status = ready["status"]?.stringValue == "True" ? "Ready" : (ready["status"]?.stringValue == "False" ? "NotReady" : "Unknown")
        }
        if node[path: ["spec", "unschedulable"]]?.boolValue == true { status += ",SchedulingDisabled" }
        return status
    }

    static func nodeRoles(_ node: JSONValue) -> String {
        var roles: Set<String> = []
        for (key, value) in node[path: ["metadata", "labels"]]?.objectValue ?? [:] {
            if key.hasPrefix("node-role.kubernetes.io/") {
                let role = String(key.dropFirst("node-role.kubernetes.io/".count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == "kubernetes.io/role", let role = value.stringValue, !role.isEmpty {
                roles.insert(role)
            }
        }
        return roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")
    }

    static func address(_ node: JSONValue, type: String) -> String {
        let addresses = node[path: ["status", "addresses"]]?.arrayValue ?? []
        return addresses.first { $0["type"]?.stringValue == type }?["address"]?.stringValue ?? "<none>"
    }

    static func age(_ object: JSONValue, now: Date) -> String {
        guard let text = object[path: ["metadata", "creationTimestamp"]]?.stringValue,
              let created = Timestamps.parse(text) else { return "<unknown>" }
        return humanDuration(now.timeIntervalSince(created))
    }

    /// Kubernetes' short human durations (`45s`, `3m20s`, `5h`, `2d3h`, `1y20d`).
    static func humanDuration(_ interval: TimeInterval) -> String {
        if interval < -1 { return "<invalid>" }
        if interval < 0 { return "0s" }
        let seconds = Int(interval)
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = hours / 24 - 365 * (hours / 24 / 365)
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    static let partialMetadataPrefix = Array(#"{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":"#.utf8)

    /// Resources whose rows are precomputed when objects are written (the big lists kubectl shows).
    static let precomputed: [String: ResourceDescriptor] = {
        var table: [String: ResourceDescriptor] = [:]
        for plural in ["pods", "nodes"] {
            if let r = ResourceCatalog.standard.resource(group: "", plural: plural) { table["\(r.apiVersion)/\(r.kind)"] = r }
        }
        return table
    }()

    /// Builds the Table for a page of objects.
    static func table(for resource: ResourceDescriptor, items: [StoredObject], resourceVersion: UInt64,
                      continueToken: String?, remaining: Int?, includeObject: String, now: Date) -> [UInt8] {
        let columns = columns(for: resource).map { c -> JSONValue in
            ["name": .string(c.name), "type": .string(c.type), "format": .string(c.format),
             "description": .string(c.description), "priority": .int(Int64(c.priority))]
        }
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(resourceVersion))]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        if let remaining { metadata["remainingItemCount"] = .int(Int64(remaining)) }
        var out: [UInt8] = []
        out.reserveCapacity(256 + items.count * 400)
        out.append(contentsOf: "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":".utf8)
        JSONCodec.write(.object(metadata), into: &out)
        out.append(contentsOf: ",\"columnDefinitions\":".utf8)
        JSONCodec.write(.array(columns), into: &out)
        out.append(contentsOf: ",\"rows\":[".utf8)
        let ageIndex = columns.firstIndex { $0["name"] == "Age" }
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "{\"cells\":".utf8)
            if var cells = item.tableRow?.cells, let ageIndex, ageIndex < cells.count {
                // Precomputed at write time: only the age is new.
                cells[ageIndex] = .string(item.tableRow?.created.map { humanDuration(now.timeIntervalSince($0)) } ?? "<unknown>")
                JSONCodec.write(.array(cells), into: &out)
            } else {
                JSONCodec.write(.array(cells(for: resource, object: item.value, now: now)), into: &out)
            }
            switch includeObject {
            case "None":
                break
            case "Object":
                out.append(contentsOf: ",\"object\":".utf8)
                out.append(contentsOf: item.json)
            default:
                out.append(contentsOf: ",\"object\":".utf8)
                if let metadata = item.tableRow?.metadataJSON {
                    out.append(contentsOf: Self.partialMetadataPrefix)
                    out.append(contentsOf: metadata)
                    out.append(UInt8(ascii: "}"))
                } else {
                    JSONCodec.write(["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                     "metadata": item.value["metadata"] ?? .object([:])], into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}
