/// Tape readers behind ``ObjectMeta``'s and ``KubeTime``'s `Decodable` conformances when
/// ``KubeJSONDecoder`` decodes (every typed object's metadata goes through here). One walk
/// over the object's members, dispatching on the model's own `CodingKeys`; results, defaults
/// and errors (with their coding paths) match the `Decoder`-protocol path.
extension JSONTape {
    private static let metaKeys = TapeKeys<ObjectMeta.CodingKeys>()
    private static let ownerKeys = TapeKeys<OwnerReference.CodingKeys>()

    /// Value `index` as ``ObjectMeta``.
    func objectMeta(at index: Int) throws -> ObjectMeta {
        var m = ObjectMeta()
        try forEachMember(of: try requireObject(index), Self.metaKeys) { key, value in
            if isNull(value) { return }
            switch key {
            case .name: m.name = try decodeString(at: value)
            case .generateName: m.generateName = try decodeString(at: value)
            case .namespace: m.namespace = try decodeString(at: value)
            case .uid: m.uid = try decodeString(at: value)
            case .resourceVersion: m.resourceVersion = try decodeString(at: value)
            case .generation: m.generation = try integer(Int64.self, at: value)
            case .creationTimestamp: m.creationTimestamp = try kubeTime(at: value)
            case .deletionTimestamp: m.deletionTimestamp = try kubeTime(at: value)
            case .deletionGracePeriodSeconds: m.deletionGracePeriodSeconds = try integer(Int64.self, at: value)
            case .labels: m.labels = try stringMap(at: value)
            case .annotations: m.annotations = try stringMap(at: value)
            case .ownerReferences: m.ownerReferences = try array(at: value, ownerReference)
            case .finalizers: m.finalizers = try stringArray(at: value)
            }
        }
        return m
    }

    private func ownerReference(at index: Int) throws -> OwnerReference {
        let object = try requireObject(index)
        var apiVersion: String?
        var kind: String?
        var name: String?
        var uid: String?
        var controller: Bool?
        var blockOwnerDeletion: Bool?
        try forEachMember(of: object, Self.ownerKeys) { key, value in
            switch key {
            case .apiVersion: apiVersion = try decodeString(at: value)
            case .kind: kind = try decodeString(at: value)
            case .name: name = try decodeString(at: value)
            case .uid: uid = try decodeString(at: value)
            case .controller: controller = isNull(value) ? nil : try bool(at: value)
            case .blockOwnerDeletion: blockOwnerDeletion = isNull(value) ? nil : try bool(at: value)
            }
        }
        return OwnerReference(
            apiVersion: try required(apiVersion, "apiVersion", in: object),
            kind: try required(kind, "kind", in: object),
            name: try required(name, "name", in: object), uid: try required(uid, "uid", in: object),
            controller: controller, blockOwnerDeletion: blockOwnerDeletion)
    }

    /// Value `index` as ``KubeTime`` (an RFC 3339 string).
    func kubeTime(at index: Int) throws -> KubeTime {
        let text = try decodeString(at: index)
        guard let instant = RFC3339.parse(text) else {
            throw corrupted(TimestampError(text: text).description, at: index)
        }
        return KubeTime(secondsSince1970: instant.seconds)
    }

    /// Array `index` read element by element with `element` (the error an unkeyed container
    /// would throw when it is not an array).
    @inline(__always) func array<T>(at index: Int, _ element: (_ index: Int) throws -> T) throws -> [T] {
        var out: [T] = []
        out.reserveCapacity(Int(entries[try requireArray(index)].start))
        try forEachElement(of: index) { out.append(try element($0)) }
        return out
    }

    /// `value` of a required member `name` of object `index`, or the error for its absence.
    @inline(__always) func required<T>(_ value: T?, _ name: String, in index: Int) throws -> T {
        guard let value else { throw missing(name, in: index) }
        return value
    }
}
