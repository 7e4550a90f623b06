import Foundation
import KubeModels
import MendTime
import Synchronization

/// A simulated cloud of Auto Scaling groups whose instances become Nodes.
///
/// Raising a group's desired capacity launches instances; after the group's boot delay each one
/// registers a Node (with `spec.providerID` `aws:///<zone>/<id>`, the shape's resources, labels
/// and taints). Lowering it terminates the newest instances. Terminating an instance (optionally
/// decrementing the desired capacity) deletes its Node and the pods bound to it. Every launch and
/// termination is recorded as a scaling activity; while a group's launch-failure switch is on,
/// launches fail and are recorded as failed activities (at most one per ``launchRetryInterval``).
///
/// This is the API the autoscaler's simulated node-group provider drives: ``nodeGroups()``,
/// ``setDesiredCapacity(group:to:)``, ``terminateInstance(_:decrementDesiredCapacity:)``,
/// ``instances(group:)``, ``activities(group:)``.
public final class SimulatedCloud: SimulationPart {
    public let name = "cloud"
    public var triggers: [ResourceDescriptor] { [] }
    public let tickInterval: Duration = .seconds(1)
    /// How often a group whose launches fail tries again.
    public let launchRetryInterval: Duration = .seconds(10)

    private struct State {
        var groups: [String: NodeGroup] = [:]
        var order: [String] = []
        var activities: [ScalingActivity] = []
        var lastFailedLaunch: [String: Date] = [:]
        var instanceCounter: UInt64 = 0
        var activityCounter: UInt64 = 0
        /// Instances whose Node and pods still have to be removed.
        var terminating: [CloudInstance] = []
        /// Injected throttling: calls still to refuse, per API operation (`""`: any operation).
        var throttles: [String: Int] = [:]
        var throttledCalls = 0
    }

    private let store: ClusterStore
    private let clock: any MendClock
    private let actor: SimulationActor
    private let nodes: ResourceDescriptor
    private let pods: ResourceDescriptor
    private let state = Mutex(State())

    init(store: ClusterStore, audit: AuditLog?, clock: any MendClock) {
        self.store = store
        self.clock = clock
        self.actor = SimulationActor(user: "system:serviceaccount:kube-system:cloud-node-lifecycle-controller",
                                     userAgent: "clustersim/cloud", store: store, audit: audit)
        self.nodes = store.descriptor("nodes")
        self.pods = store.descriptor("pods")
    }

    // MARK: API faults

    /// The next `count` API calls of `operation` (`SetDesiredCapacity`,
    /// `TerminateInstanceInAutoScalingGroup`, `DescribeAutoScalingGroups`,
    /// `DescribeScalingActivities`; `nil`: any of them) are refused with ``CloudError/throttled(operation:)``,
    /// as AWS answers `Throttling` when an account's request rate is exceeded.
    public func throttleNext(_ count: Int, operation: String? = nil) {
        state.withLock { $0.throttles[operation ?? "", default: 0] += count }
    }

    /// Admits one call of `operation` through the cloud's API, or refuses it when a throttle set
    /// by ``throttleNext(_:operation:)`` applies. The node-group provider calls this first.
    public func admit(_ operation: String) throws(CloudError) {
        let refused = state.withLock { s -> Bool in
            for key in [operation, ""] {
                if let left = s.throttles[key], left > 0 {
                    s.throttles[key] = left - 1
                    s.throttledCalls += 1
                    return true
                }
            }
            return false
        }
        if refused { throw .throttled(operation: operation) }
    }

    /// How many API calls were refused by injected throttling so far.
    public var throttledCalls: Int { state.withLock { $0.throttledCalls } }

    // MARK: Groups

    /// Adds a node group. With `startBooted`, its initial instances are already running: their
    /// Nodes register at the next reconcile, without the boot delay.
    public func addNodeGroup(_ spec: NodeGroupSpec, startBooted: Bool = false) throws(CloudError) {
        guard spec.minSize >= 0, spec.minSize <= spec.desiredCapacity, spec.desiredCapacity <= spec.maxSize else {
            throw .invalidLimits(group: spec.name, min: spec.minSize, desired: spec.desiredCapacity, max: spec.maxSize)
        }
        let now = clock.now
        try state.withLock { (s) throws(CloudError) in
            guard s.groups[spec.name] == nil else { throw .duplicateGroup(spec.name) }
            var group = NodeGroup(spec: spec, desiredCapacity: spec.desiredCapacity, launchFailure: nil, instances: [])
            if startBooted {
                for _ in 0..<spec.desiredCapacity {
                    group.instances.append(Self.newInstance(&s, spec: spec, launchTime: now.addingTimeInterval(-spec.bootDelay.seconds)))
                }
            }
            s.groups[spec.name] = group
            s.order.append(spec.name)
        }
    }

    /// Every group, in the order they were added.
    public func nodeGroups() -> [NodeGroup] {
        state.withLock { s in s.order.compactMap { s.groups[$0] } }
    }

    /// One group.
    public func nodeGroup(_ name: String) -> NodeGroup? { state.withLock { $0.groups[name] } }

    /// Sets the desired capacity (SetDesiredCapacity); instances launch or terminate at the next
    /// reconcile.
    public func setDesiredCapacity(group name: String, to desired: Int) throws(CloudError) {
        try state.withLock { (s) throws(CloudError) in
            guard let group = s.groups[name] else { throw .unknownGroup(name) }
            guard desired >= group.minSize, desired <= group.maxSize else {
                throw .desiredCapacityOutOfRange(group: name, desired: desired, min: group.minSize, max: group.maxSize)
            }
            s.groups[name]?.desiredCapacity = desired
        }
    }

    /// Turns the launch-failure switch of a group on (with the status message launches fail
    /// with, e.g. `We currently do not have sufficient m5.large capacity in the Availability
    /// Zone you requested`) or off (nil).
    public func setLaunchFailure(group name: String, message: String?) throws(CloudError) {
        try state.withLock { (s) throws(CloudError) in
            guard s.groups[name] != nil else { throw .unknownGroup(name) }
            s.groups[name]?.launchFailure = message
            s.lastFailedLaunch[name] = nil
        }
    }

    /// Terminates an instance (TerminateInstanceInAutoScalingGroup). Its Node and pods go at the
    /// next reconcile. Without `decrementDesiredCapacity` the group launches a replacement.
    public func terminateInstance(_ id: String, decrementDesiredCapacity: Bool) throws(CloudError) {
        let now = clock.now
        try state.withLock { (s) throws(CloudError) in
            guard let groupName = s.order.first(where: { s.groups[$0]?.instances.contains { $0.id == id } ?? false }),
                  var group = s.groups[groupName],
                  let index = group.instances.firstIndex(where: { $0.id == id }) else {
                throw .unknownInstance(id)
            }
            if decrementDesiredCapacity {
                guard group.desiredCapacity - 1 >= group.minSize else {
                    throw .belowMinimum(group: groupName, minSize: group.minSize)
                }
                group.desiredCapacity -= 1
            }
            let instance = group.instances.remove(at: index)
            s.groups[groupName] = group
            let cause = decrementDesiredCapacity
                ? "an instance was taken out of service in response to a user request, shrinking the capacity from \(group.desiredCapacity + 1) to \(group.desiredCapacity)."
                : "an instance was taken out of service in response to a user request."
            Self.terminate(&s, instance, cause: cause, now: now)
        }
    }

    /// The instances (not terminated) of one group, or of all groups.
    public func instances(group: String? = nil) -> [CloudInstance] {
        state.withLock { s in
            s.order.filter { group == nil || $0 == group }.flatMap { s.groups[$0]?.instances ?? [] }
        }
    }

    /// The instance whose Node has this name.
    public func instance(nodeName: String) -> CloudInstance? {
        instances().first { $0.nodeName == nodeName }
    }

    /// Scaling activities of one group, or of all, newest first (as AWS lists them).
    public func activities(group: String? = nil) -> [ScalingActivity] {
        state.withLock { s in s.activities.filter { group == nil || $0.group == group }.reversed() }
    }

    // MARK: Reconcile

    public func reconcile() -> Int {
        let now = clock.now
        // Decide under the lock; write to the store after (no store call holds the cloud lock).
        let (toRegister, toRemove) = state.withLock { s -> ([CloudInstance], [CloudInstance]) in
            for name in s.order {
                guard var group = s.groups[name] else { continue }
                let live = group.instances.count
                if live < group.desiredCapacity {
                    if let failure = group.launchFailure {
                        let last = s.lastFailedLaunch[name]
                        if last == nil || now.timeIntervalSince(last!) >= launchRetryInterval.seconds {
                            s.lastFailedLaunch[name] = now
                            Self.record(&s, group: name, description: "Launching a new EC2 instance.  Status Reason: \(failure)",
                                        cause: Self.capacityCause(from: live, to: group.desiredCapacity),
                                        status: .failed, message: failure, now: now)
                        }
                    } else {
                        for _ in live..<group.desiredCapacity {
                            let instance = Self.newInstance(&s, spec: group.spec, launchTime: now)
                            group.instances.append(instance)
                            Self.record(&s, group: name, description: "Launching a new EC2 instance: \(instance.id)",
                                        cause: Self.capacityCause(from: live, to: group.desiredCapacity),
                                        status: .successful, message: nil, now: now)
                        }
                    }
                } else if live > group.desiredCapacity {
                    let cause = Self.capacityCause(from: live, to: group.desiredCapacity)
                    for _ in group.desiredCapacity..<live {
                        let instance = group.instances.removeLast()
                        Self.terminate(&s, instance, cause: cause, now: now)
                    }
                }
                s.groups[name] = group
            }
            var register: [CloudInstance] = []
            for name in s.order {
                guard let group = s.groups[name] else { continue }
                for (i, instance) in group.instances.enumerated() where instance.state == .pending {
                    if now.timeIntervalSince(instance.launchTime) >= group.spec.bootDelay.seconds {
                        s.groups[name]?.instances[i].state = .inService
                        register.append(s.groups[name]!.instances[i])
                    }
                }
            }
            let remove = s.terminating
            s.terminating = []
            return (register, remove)
        }
        var writes = 0
        for instance in toRegister {
            guard let shape = nodeGroup(instance.group)?.spec.shape else { continue }
            if (try? actor.create(nodes, namespace: nil, object: Self.node(for: instance, shape: shape, now: now),
                                  keepStatus: true)) != nil {
                writes += 1
            }
        }
        for instance in toRemove {
            writes += removeNode(of: instance)
        }
        return writes
    }

    private func removeNode(of instance: CloudInstance) -> Int {
        var writes = 0
        if (try? actor.delete(nodes, namespace: nil, name: instance.nodeName)) != nil { writes += 1 }
        let gc = actor.acting(as: "system:serviceaccount:kube-system:pod-garbage-collector")
        let filter = ObjectFilter(fields: [.init(field: "spec.nodeName", value: instance.nodeName)])
        for pod in (try? store.list(pods, options: ListOptions(filter: filter)))?.items ?? [] {
            if (try? gc.delete(pods, namespace: pod.namespace, name: pod.name,
                               options: DeleteOptions(gracePeriodSeconds: 0))) != nil { writes += 1 }
        }
        return writes
    }

    private static func capacityCause(from: Int, to: Int) -> String {
        "a user request explicitly set group desired capacity changing the desired capacity from \(from) to \(to)."
    }

    private static func terminate(_ s: inout State, _ instance: CloudInstance, cause: String, now: Date) {
        var instance = instance
        instance.state = .terminating
        s.terminating.append(instance)
        record(&s, group: instance.group, description: "Terminating EC2 instance: \(instance.id)", cause: cause,
               status: .successful, message: nil, now: now)
    }

    private static func record(_ s: inout State, group: String, description: String, cause: String,
                               status: ScalingActivity.Status, message: String?, now: Date) {
        s.activityCounter += 1
        var hasher = FNV1a()
        hasher.add("activity-\(s.activityCounter)")
        let hex = String(hasher.value, radix: 16)
        let id = "\(hex.prefix(8))-\(hex.dropFirst(8).prefix(4))-\(s.activityCounter)"
        s.activities.append(ScalingActivity(
            id: id, group: group, description: description, cause: "At \(Timestamps.format(now)) \(cause)",
            status: status, statusMessage: message, startTime: now, endTime: now))
    }

    private static func newInstance(_ s: inout State, spec: NodeGroupSpec, launchTime: Date) -> CloudInstance {
        s.instanceCounter += 1
        let n = s.instanceCounter
        var hasher = FNV1a()
        hasher.add("instance-\(n)")
        let hex = String(hasher.value, radix: 16)
        let id = "i-0" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        let ip = "10.0.\(n / 250 % 250).\(n % 250 + 4)"
        let name = "ip-\(ip.replacingOccurrences(of: ".", with: "-")).\(spec.shape.region).compute.internal"
        return CloudInstance(id: id, group: spec.name, zone: spec.shape.zone, instanceType: spec.shape.instanceType,
                             nodeName: name, privateIP: ip, state: .pending, launchTime: launchTime)
    }

    /// The Node an instance registers.
    static func node(for instance: CloudInstance, shape: NodeShape, now: Date) -> JSONValue {
        var labels: [String: JSONValue] = shape.labels.mapValues { .string($0) }
        labels["kubernetes.io/hostname"] = .string(instance.nodeName)
        labels["kubernetes.io/os"] = "linux"
        labels["kubernetes.io/arch"] = "amd64"
        labels["beta.kubernetes.io/os"] = "linux"
        labels["beta.kubernetes.io/arch"] = "amd64"
        labels["node.kubernetes.io/instance-type"] = .string(shape.instanceType)
        labels["topology.kubernetes.io/zone"] = .string(shape.zone)
        labels["topology.kubernetes.io/region"] = .string(shape.region)
        let taints: [JSONValue] = shape.taints.map { taint in
            var t: JSONValue = ["key": .string(taint.key), "effect": .string(taint.effect.rawValue)]
            if let value = taint.value { t["value"] = .string(value) }
            return t
        }
        var spec: JSONValue = ["providerID": .string(instance.providerID)]
        if !taints.isEmpty { spec["taints"] = .array(taints) }
        let capacity = JSONValue.object(shape.capacity.mapValues { .string($0.description) })
        let allocatable = shape.allocatable.map { JSONValue.object($0.mapValues { .string($0.description) }) } ?? capacity
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(instance.nodeName), "labels": .object(labels)],
            "spec": spec,
            "status": [
                "capacity": capacity, "allocatable": allocatable,
                "addresses": [
                    ["type": "InternalIP", "address": .string(instance.privateIP)],
                    ["type": "Hostname", "address": .string(instance.nodeName)],
                    ["type": "InternalDNS", "address": .string(instance.nodeName)],
                ],
            ],
        ]
    }
}
