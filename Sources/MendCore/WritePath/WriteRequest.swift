import Foundation
import KubeClient
import KubeModels

/// Every mutating call a Mend program may make, to Kubernetes or to AWS.
public enum WriteRequest: Sendable, Equatable {
    /// Cordon / uncordon, taints, labels, annotations.
    case patchNode(name: String, patch: Patch)
    /// Node conditions (the `status` subresource).
    case patchNodeStatus(name: String, patch: Patch)
    /// A new core/v1 Event.
    case createEvent(CoreV1Event)
    /// A repeated Event's count and timestamps.
    case patchEvent(name: String, namespace: String, patch: Patch)
    /// An eviction through `pods/eviction` (PodDisruptionBudgets respected).
    case evictPod(name: String, namespace: String, options: DeleteOptions?)
    /// A plain pod delete (no disruption budget check).
    case deletePod(name: String, namespace: String, options: DeleteOptions?)
    /// A new ConfigMap (status reports).
    case createConfigMap(ConfigMap)
    /// A ConfigMap change.
    case patchConfigMap(name: String, namespace: String, patch: Patch)
    /// A new Lease (leader election).
    case createLease(Lease)
    /// A Lease renewal, takeover or release.
    case patchLease(name: String, namespace: String, patch: Patch)
    /// An Auto Scaling group's new desired capacity.
    case setDesiredCapacity(group: String, capacity: Int)
    /// The termination of one instance in its Auto Scaling group (`group` when the caller knows
    /// it: AWS finds it from the instance, other node-group providers need it).
    case terminateInstance(group: String?, instanceID: String, decrementDesiredCapacity: Bool)

    /// The verb, as the `verb` label of `mend_writes_total` and in logs.
    public var verb: String {
        switch self {
        case .patchNode: "patch_node"
        case .patchNodeStatus: "patch_node_status"
        case .createEvent: "create_event"
        case .patchEvent: "patch_event"
        case .evictPod: "evict_pod"
        case .deletePod: "delete_pod"
        case .createConfigMap: "create_configmap"
        case .patchConfigMap: "patch_configmap"
        case .createLease: "create_lease"
        case .patchLease: "patch_lease"
        case .setDesiredCapacity: "set_desired_capacity"
        case .terminateInstance: "terminate_instance"
        }
    }

    /// The object written: `node/ip-10-0-0-1`, `pod/default/web-1`, `asg/workers`, `instance/i-0abc`.
    public var target: String {
        switch self {
        case .patchNode(let name, _), .patchNodeStatus(let name, _): "node/\(name)"
        case .createEvent(let event): "event/\(event.metadata.namespace ?? "")/\(event.metadata.name ?? event.metadata.generateName ?? "")"
        case .patchEvent(let name, let namespace, _): "event/\(namespace)/\(name)"
        case .evictPod(let name, let namespace, _), .deletePod(let name, let namespace, _): "pod/\(namespace)/\(name)"
        case .createConfigMap(let map): "configmap/\(map.metadata.namespace ?? "")/\(map.metadata.name ?? "")"
        case .patchConfigMap(let name, let namespace, _): "configmap/\(namespace)/\(name)"
        case .createLease(let lease): "lease/\(lease.metadata.namespace ?? "")/\(lease.metadata.name ?? "")"
        case .patchLease(let name, let namespace, _): "lease/\(namespace)/\(name)"
        case .setDesiredCapacity(let group, _): "asg/\(group)"
        case .terminateInstance(let group?, let id, _): "asg/\(group)/instance/\(id)"
        case .terminateInstance(nil, let id, _): "instance/\(id)"
        }
    }

    /// Whether this is routine bookkeeping (lease renewals), logged at debug rather than info.
    public var isRoutine: Bool {
        switch self {
        case .createLease, .patchLease: true
        default: false
        }
    }

    /// What the call would change, short enough for one log line (patch bodies cut at 400 bytes).
    public var summary: String {
        switch self {
        case .patchNode(_, let patch), .patchNodeStatus(_, let patch), .patchEvent(_, _, let patch),
            .patchConfigMap(_, _, let patch), .patchLease(_, _, let patch):
            return Self.describe(patch)
        case .createEvent(let event):
            return "\(event.type ?? "Normal") \(event.reason ?? ""): \(Self.cut(event.message ?? "", 300))"
        case .evictPod(_, _, let options), .deletePod(_, _, let options):
            var parts: [String] = []
            if let grace = options?.gracePeriodSeconds { parts.append("gracePeriodSeconds=\(grace)") }
            if let uid = options?.preconditions?.uid { parts.append("uid=\(uid)") }
            return parts.isEmpty ? "default options" : parts.joined(separator: " ")
        case .createConfigMap(let map):
            return "keys: " + (map.data ?? [:]).keys.sorted().joined(separator: ", ")
        case .createLease(let lease):
            return "holder=\(lease.spec.holderIdentity ?? "")"
        case .setDesiredCapacity(_, let capacity):
            return "desiredCapacity=\(capacity)"
        case .terminateInstance(_, _, let decrement):
            return "decrementDesiredCapacity=\(decrement)"
        }
    }

    private static func describe(_ patch: Patch) -> String {
        let (kind, body): (String, String)
        switch patch {
        case .merge(let value): (kind, body) = ("merge", Self.text(value))
        case .strategicMerge(let value): (kind, body) = ("strategic-merge", Self.text(value))
        case .apply(let value): (kind, body) = ("apply", Self.text(value))
        case .json(let operations):
            let text = (try? JSONEncoder().encode(operations)).flatMap { String(data: $0, encoding: .utf8) } ?? "?"
            (kind, body) = ("json", text)
        }
        return "\(kind) \(cut(body, 400))"
    }

    private static func text(_ value: JSONValue) -> String {
        (try? value.serialized(sortedKeys: true)).flatMap { String(data: $0, encoding: .utf8) } ?? "?"
    }

    private static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}

/// What a write answered.
public enum WriteResult: Sendable, Equatable {
    case node(Node)
    case event(CoreV1Event)
    case eviction(EvictionOutcome)
    case configMap(ConfigMap)
    case lease(Lease)
    /// Calls that answer nothing (delete, set capacity, terminate).
    case done
}

/// Performs writes: the live implementation sends them, the dry-run one only pretends.
/// Tests implement it to count or fail calls.
public protocol WriteExecutor: Sendable {
    func execute(_ request: WriteRequest) async throws -> WriteResult
}

/// Why a write could not be made.
public enum WritePathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The program asked for an AWS write but was built without an AWS client (or vice versa).
    case notConfigured(verb: String, missing: String)
    /// The executor answered with a result of the wrong kind (a bug in a custom executor).
    case unexpectedResult(verb: String, result: String)

    public var description: String {
        switch self {
        case .notConfigured(let verb, let missing): "cannot \(verb): this program has no \(missing) configured"
        case .unexpectedResult(let verb, let result): "\(verb) answered an unexpected result: \(result)"
        }
    }
}
