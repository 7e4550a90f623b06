/// How the scheduler sizes a pod.
public enum PodResources {
    /// The resources the scheduler reserves for a pod, computed as kube-scheduler does
    /// (`computePodResourceRequest`, sidecar-aware since Kubernetes 1.29):
    ///
    /// 1. the sum of the regular containers' requests, plus every sidecar init container
    ///    (`restartPolicy: Always`), which runs for the pod's whole life;
    /// 2. the peak during initialization: each regular init container's request plus the
    ///    sidecars started before it; the result is the per-resource maximum of (1) and (2);
    /// 3. plus the pod `overhead`.
    ///
    /// A container that sets a limit but no request for a resource counts the limit, which is
    /// what the API server's defaulting stores as its request.
    public static func effectiveRequests(
        containers: [Container], initContainers: [Container], overhead: [String: Quantity]?
    ) -> [String: Quantity] {
        effectiveRequests(
            regular: containers.map(requests(of:)),
            initContainers: initContainers.map { (requests(of: $0), $0.isSidecar) },
            overhead: overhead)
    }

    /// ``effectiveRequests(containers:initContainers:overhead:)`` over each container's own
    /// requests (limits already standing in for missing requests).
    static func effectiveRequests(
        regular: [[String: Quantity]], initContainers: [([String: Quantity], isSidecar: Bool)],
        overhead: [String: Quantity]?
    ) -> [String: Quantity] {
        var total: [String: Quantity] = [:]
        for own in regular { add(own, to: &total) }
        var sidecars: [String: Quantity] = [:]
        var initPeak: [String: Quantity] = [:]
        for (own, isSidecar) in initContainers {
            var during: [String: Quantity]
            if isSidecar {
                add(own, to: &total)
                add(own, to: &sidecars)
                during = sidecars
            } else {
                during = sidecars
                add(own, to: &during)
            }
            for (name, amount) in during { initPeak[name] = Quantity.max(initPeak[name] ?? .zero, amount) }
        }
        for (name, amount) in initPeak { total[name] = Quantity.max(total[name] ?? .zero, amount) }
        if let overhead { add(overhead, to: &total) }
        return total
    }

    /// A container's requests, with limits standing in for missing requests.
    public static func requests(of container: Container) -> [String: Quantity] {
        requests(container.resources?.requests, limits: container.resources?.limits)
    }

    static func requests(_ requests: [String: Quantity]?, limits: [String: Quantity]?) -> [String: Quantity] {
        var result = requests ?? [:]
        for (name, limit) in limits ?? [:] where result[name] == nil {
            result[name] = limit
        }
        return result
    }

    private static func add(_ list: [String: Quantity], to total: inout [String: Quantity]) {
        for (name, amount) in list { total[name] = (total[name] ?? .zero) + amount }
    }
}

/// Resource amounts in the scheduler's units, in fixed fields so comparing and adding them
/// never allocates: CPU in millicores, memory and ephemeral storage in bytes, pods as a count,
/// and other scalar resources (`nvidia.com/gpu`, `hugepages-2Mi`, ...) in whole units.
public struct ResourceVector: Sendable, Hashable, CustomStringConvertible {
    public var milliCPU: Int64
    public var memory: Int64
    public var ephemeralStorage: Int64
    public var pods: Int64
    /// Other resources, sorted by name, without zero entries.
    public private(set) var scalars: [ScalarResource]

    public init(
        milliCPU: Int64 = 0, memory: Int64 = 0, ephemeralStorage: Int64 = 0, pods: Int64 = 0,
        scalars: [ScalarResource] = []
    ) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.ephemeralStorage = ephemeralStorage
        self.pods = pods
        self.scalars = []
        for scalar in scalars { self[scalar: scalar.name] += scalar.amount }
    }

    /// Converts a resource list (`cpu`, `memory`, `ephemeral-storage`, `pods`, others), rounding
    /// up as the scheduler does (CPU to the millicore, everything else to the unit).
    public init(_ list: [String: Quantity]) {
        self.init()
        for (name, amount) in list {
            switch name {
            case "cpu": milliCPU += amount.milliValue
            case "memory": memory += amount.value
            case "ephemeral-storage": ephemeralStorage += amount.value
            case "pods": pods += amount.value
            default: self[scalar: name] += amount.value
            }
        }
    }

    public static let zero = ResourceVector()

    /// The amount of a scalar resource (0 when absent). Setting 0 removes the entry.
    public subscript(scalar name: String) -> Int64 {
        get {
            for s in scalars where s.name == name { return s.amount }
            return 0
        }
        set {
            if let i = scalars.firstIndex(where: { $0.name == name }) {
                if newValue == 0 { scalars.remove(at: i) } else { scalars[i].amount = newValue }
            } else if newValue != 0 {
                let at = scalars.firstIndex { $0.name > name } ?? scalars.endIndex
                scalars.insert(ScalarResource(name: name, amount: newValue), at: at)
            }
        }
    }

    public var isZero: Bool { milliCPU == 0 && memory == 0 && ephemeralStorage == 0 && pods == 0 && scalars.isEmpty }

    public static func += (a: inout ResourceVector, b: ResourceVector) {
        a.milliCPU += b.milliCPU
        a.memory += b.memory
        a.ephemeralStorage += b.ephemeralStorage
        a.pods += b.pods
        for s in b.scalars { a[scalar: s.name] += s.amount }
    }

    public static func -= (a: inout ResourceVector, b: ResourceVector) {
        a.milliCPU -= b.milliCPU
        a.memory -= b.memory
        a.ephemeralStorage -= b.ephemeralStorage
        a.pods -= b.pods
        for s in b.scalars { a[scalar: s.name] -= s.amount }
    }

    public static func + (a: ResourceVector, b: ResourceVector) -> ResourceVector {
        var r = a
        r += b
        return r
    }

    public static func - (a: ResourceVector, b: ResourceVector) -> ResourceVector {
        var r = a
        r -= b
        return r
    }

    /// Back to a resource list, omitting zero amounts.
    public var quantities: [String: Quantity] {
        var list: [String: Quantity] = [:]
        if milliCPU != 0 { list["cpu"] = Quantity(milli: milliCPU) }
        if memory != 0 { list["memory"] = Quantity(memory, format: .binarySI) }
        if ephemeralStorage != 0 { list["ephemeral-storage"] = Quantity(ephemeralStorage, format: .binarySI) }
        if pods != 0 { list["pods"] = Quantity(pods) }
        for s in scalars { list[s.name] = Quantity(s.amount) }
        return list
    }

    public var description: String {
        var parts = ["cpu=\(Quantity(milli: milliCPU))", "memory=\(Quantity(memory, format: .binarySI))"]
        if ephemeralStorage != 0 { parts.append("ephemeral-storage=\(Quantity(ephemeralStorage, format: .binarySI))") }
        if pods != 0 { parts.append("pods=\(pods)") }
        for s in scalars { parts.append("\(s.name)=\(s.amount)") }
        return parts.joined(separator: ",")
    }
}

/// A named scalar resource amount in whole units.
public struct ScalarResource: Sendable, Hashable {
    public var name: String
    public var amount: Int64

    public init(name: String, amount: Int64) {
        self.name = name
        self.amount = amount
    }
}
