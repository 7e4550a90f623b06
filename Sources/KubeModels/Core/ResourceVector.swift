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

    /// Converts a resource list (`cpu`, `memory`, `ephemeral-storage`, `pods`, scalar resources
    /// per ``isScalarResourceName(_:)``), rounding up as the scheduler does (CPU to the
    /// millicore, everything else to the unit).
    public init(_ list: [String: Quantity]) {
        self.init()
        for (name, amount) in list {
            switch name {
            case "cpu": milliCPU += amount.milliValue
            case "memory": memory += amount.value
            case "ephemeral-storage": ephemeralStorage += amount.value
            case "pods": pods += amount.value
            default:
                if Self.isScalarResourceName(name) { self[scalar: name] += amount.value }
            }
        }
    }

    public static let zero = ResourceVector()

    /// Whether the scheduler accounts for a resource beyond cpu, memory, ephemeral-storage and
    /// pods: extended resources (`vendor.example/thing`), `kubernetes.io/` ones, `hugepages-*`
    /// and `attachable-volumes-*`. Other names (say `storage`) are ignored, as the scheduler does.
    public static func isScalarResourceName(_ name: String) -> Bool {
        name.contains("/") || name.hasPrefix("hugepages-") || name.hasPrefix("attachable-volumes-")
    }

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
