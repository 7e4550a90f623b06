/// The fast path behind ``PodSummary``'s `Decodable` conformance when ``KubeJSONDecoder``
/// decodes: one walk over the pod's members on the tape, reading only those named in
/// PodSummary's key enums (the same ones its `Decoder`-protocol path uses) and skipping every
/// other member in one step. Results, defaults and errors (with their coding paths) match the
/// `Decoder`-protocol path; the tests compare the two on every fixture and on generated pods.
extension JSONTape {
    private static let topKeys = TapeKeys<PodSummary.TopKeys>()
    private static let metaKeys = TapeKeys<PodSummary.MetaKeys>()
    private static let annotationKeys = TapeKeys<PodSummary.AnnotationKeys>()
    private static let ownerKeys = TapeKeys<PodSummary.OwnerKeys>()
    private static let specKeys = TapeKeys<PodSummary.SpecKeys>()
    private static let affinityKeys = TapeKeys<PodSummary.AffinityKeys>()
    private static let requiredKeys = TapeKeys<PodSummary.RequiredKeys>()
    private static let containerKeys = TapeKeys<PodSummary.ContainerKeys>()
    private static let resourceKeys = TapeKeys<PodSummary.ResourceKeys>()
    private static let volumeKeys = TapeKeys<PodSummary.VolumeKeys>()
    private static let statusKeys = TapeKeys<PodSummary.StatusKeys>()
    private static let conditionKeys = TapeKeys<PodSummary.ConditionKeys>()

    /// Value `index` (a pod object) as a ``PodSummary``.
    func podSummary(at index: Int) throws -> PodSummary {
        let top = try requireObject(index)
        var metadata: Int?
        var spec: Int?
        var status: Int?
        forEachMember(of: top, Self.topKeys) { key, value in
            switch key {
            case .metadata: metadata = value
            case .spec: spec = value
            case .status: status = value
            }
        }
        guard let metadata else { throw missing("metadata", in: top) }
        var f = PodSummary.Fields()
        let (namespace, name) = try readMetadata(try requireObject(metadata), into: &f)
        // A spec or status that is not an object counts as absent (as on the `Decoder` path).
        if let spec, entries[spec].kind == .object { try readSpec(spec, into: &f) }
        if let status, entries[status].kind == .object { try readStatus(status, into: &f) }
        return PodSummary(namespace: namespace, name: name, fields: f)
    }

    private func readMetadata(_ meta: Int, into f: inout PodSummary.Fields) throws -> (String, String) {
        var namespace = ""
        var name = ""
        try forEachMember(of: meta, Self.metaKeys) { key, value in
            if isNull(value) { return }
            switch key {
            case .namespace: namespace = try decodeString(at: value)
            case .name: name = try decodeString(at: value)
            case .uid: f.compactUID = CompactUID(try decodeString(at: value))
            case .resourceVersion: f.resourceVersion = try decodeString(at: value)
            case .labels: f.labels = WellKnown.internKeys(try stringMap(at: value))
            case .annotations:
                guard entries[value].kind == .object else { return }
                try forEachMember(of: value, Self.annotationKeys) { key, value in
                    switch key {
                    case .mirror: f.isMirrorPod = true
                    case .safeToEvict:
                        switch try optionalString(at: value) {
                        case "true": f.safeToEvict = true
                        case "false": f.safeToEvict = false
                        default: f.safeToEvict = nil
                        }
                    }
                }
            case .ownerReferences:
                var controller: (kind: String, name: String)?
                try forEachElement(of: try requireArray(value)) { owner in
                    let reference = try readOwner(owner)
                    if controller == nil, reference.controller { controller = (reference.kind, reference.name) }
                }
                f.controllerKind = controller.map { WellKnown.intern($0.kind) }
                f.controllerName = controller.map { SharedValues.strings.intern($0.name) }
            case .deletionTimestamp: f.deletionTimestamp = try decode(KubeTime.self, at: value)
            case .creationTimestamp: f.creationTimestamp = try decode(KubeTime.self, at: value)
            }
        }
        return (namespace, name)
    }

    private func readOwner(_ index: Int) throws -> (kind: String, name: String, controller: Bool) {
        let owner = try requireObject(index)
        var kind: String?
        var name: String?
        var controller = false
        try forEachMember(of: owner, Self.ownerKeys) { key, value in
            switch key {
            case .kind: kind = try decodeString(at: value)
            case .name: name = try decodeString(at: value)
            case .controller: controller = isNull(value) ? false : try bool(at: value)
            }
        }
        guard let kind else { throw missing("kind", in: owner) }
        guard let name else { throw missing("name", in: owner) }
        return (kind, name, controller)
    }

    private func readSpec(_ spec: Int, into f: inout PodSummary.Fields) throws {
        var containers: [SlimContainer] = []
        var initContainers: [SlimContainer] = []
        var overhead: [String: Quantity]?
        try forEachMember(of: spec, Self.specKeys) { key, value in
            if isNull(value) { return }
            switch key {
            case .nodeName: f.nodeName = SharedValues.strings.intern(try decodeString(at: value))
            case .schedulerName: f.schedulerName = WellKnown.intern(try decodeString(at: value))
            case .priority: f.priority = try integer(Int32.self, at: value)
            case .tolerations:
                var tolerations: [Toleration] = []
                tolerations.reserveCapacity(Int(entries[try requireArray(value)].start))
                try forEachElement(of: value) { tolerations.append(try readToleration($0)) }
                f.tolerations = SharedValues.tolerations.intern(tolerations)
            case .nodeSelector: f.nodeSelector = SharedValues.selectors.intern(WellKnown.internKeys(try stringMap(at: value)))
            case .affinity:
                guard entries[value].kind == .object else { return }
                try readAffinity(value, into: &f)
            case .containers: containers = try readContainers(value)
            case .initContainers: initContainers = try readContainers(value)
            case .overhead: overhead = try quantities(at: value)
            case .volumes:
                var emptyDir = false
                try forEachElement(of: try requireArray(value)) { volume in
                    let object = try requireObject(volume)
                    forEachMember(of: object, Self.volumeKeys) { _, value in
                        if !isNull(value) { emptyDir = true }
                    }
                }
                f.usesLocalStorage = emptyDir
            }
        }
        f.requests = ResourceVector(
            PodResources.effectiveRequests(
                regular: containers.map { PodResources.requests($0.requests, limits: $0.limits) },
                initContainers: initContainers.map {
                    (PodResources.requests($0.requests, limits: $0.limits), $0.restartPolicy == "Always")
                },
                overhead: overhead))
        var ports: [HostPort] = []
        for container in initContainers + containers { ports += container.hostPorts }
        f.hostPorts = ports
    }

    private func readAffinity(_ affinity: Int, into f: inout PodSummary.Fields) throws {
        try forEachMember(of: affinity, Self.affinityKeys) { key, value in
            guard entries[value].kind == .object else { return }
            try forEachMember(of: value, Self.requiredKeys) { _, required in
                if isNull(required) { return }
                switch key {
                case .nodeAffinity: f.requiredNodeAffinity = try decode(NodeSelector.self, at: required)
                case .podAntiAffinity: f.requiredAntiAffinity = try decode([PodAffinityTerm].self, at: required)
                case .podAffinity: f.hasRequiredPodAffinity = !(try decode([PodAffinityTerm].self, at: required)).isEmpty
                }
            }
        }
    }

    /// A toleration (read as ``Pod``'s reader does) with its common names shared.
    private func readToleration(_ index: Int) throws -> Toleration {
        var t = try toleration(at: index)
        t.key = t.key.map(WellKnown.intern)
        t.operator = t.operator.map { TolerationOperator(rawValue: WellKnown.intern($0.rawValue)) }
        t.effect = t.effect.map { TaintEffect(rawValue: WellKnown.intern($0.rawValue)) }
        return t
    }

    /// What a summary needs of one container.
    private struct SlimContainer {
        var requests: [String: Quantity]?
        var limits: [String: Quantity]?
        var hostPorts: [HostPort] = []
        var restartPolicy: String?
    }

    private func readContainers(_ index: Int) throws -> [SlimContainer] {
        var out: [SlimContainer] = []
        out.reserveCapacity(Int(entries[try requireArray(index)].start))
        try forEachElement(of: index) { element in
            var c = SlimContainer()
            try forEachMember(of: try requireObject(element), Self.containerKeys) { key, value in
                if isNull(value) { return }
                switch key {
                case .resources:
                    try forEachMember(of: try requireObject(value), Self.resourceKeys) { key, value in
                        if isNull(value) { return }
                        switch key {
                        case .requests: c.requests = try quantities(at: value)
                        case .limits: c.limits = try quantities(at: value)
                        }
                    }
                case .ports:
                    try forEachElement(of: try requireArray(value)) { port in
                        if let p = try readHostPort(port) { c.hostPorts.append(p) }
                    }
                case .restartPolicy: c.restartPolicy = try decodeString(at: value)
                }
            }
            out.append(c)
        }
        return out
    }

    /// The host port a container port asks for, if any (the port is validated in full).
    private func readHostPort(_ index: Int) throws -> HostPort? {
        guard var p = HostPort(try containerPort(at: index)) else { return nil }
        p.protocol = WellKnown.intern(p.protocol)
        p.hostIP = WellKnown.intern(p.hostIP)
        return p
    }

    private func readStatus(_ status: Int, into f: inout PodSummary.Fields) throws {
        try forEachMember(of: status, Self.statusKeys) { key, value in
            if isNull(value) { return }
            switch key {
            case .phase: f.phase = PodPhase(rawValue: WellKnown.intern(try decodeString(at: value)))
            case .nominatedNodeName: f.nominatedNodeName = SharedValues.strings.intern(try decodeString(at: value))
            case .conditions:
                var seenUnschedulableTime = false
                try forEachElement(of: try requireArray(value)) { index in
                    let condition = try requireObject(index)
                    var type: String?
                    var state: String?
                    var reason: String?
                    var since: KubeTime?
                    try forEachMember(of: condition, Self.conditionKeys) { key, value in
                        switch key {
                        case .type: type = try decodeString(at: value)
                        case .status: state = try decodeString(at: value)
                        case .reason: reason = try optionalString(at: value)
                        case .lastTransitionTime: since = isNull(value) ? nil : try decode(KubeTime.self, at: value)
                        }
                    }
                    guard let type else { throw missing("type", in: condition) }
                    guard let state else { throw missing("status", in: condition) }
                    if type == "Ready" && state == "True" { f.isReady = true }
                    if type == "PodScheduled" && state == "False" {
                        // The first such condition counts, as in the Decoder path.
                        if !seenUnschedulableTime { f.unschedulableSince = since; seenUnschedulableTime = true }
                        if reason == PodConditionReason.unschedulable { f.isUnschedulable = true }
                    }
                }
            }
        }
    }
}

// MARK: Quantities (also a fast path of `JSONTape.decode` for any model)

extension JSONTape {
    /// A resource list (`{"cpu": "100m", ...}`).
    func quantities(at index: Int) throws -> [String: Quantity] {
        var out = [String: Quantity](minimumCapacity: Int(entries[try requireObject(index)].start))
        try forEachMember(of: index) { key, value in
            let name = try decodeString(at: key)
            if out[name] == nil { out[name] = try quantity(at: value) }  // a repeated name: the first counts
        }
        return out
    }

    /// A quantity: a string such as `"1.5Gi"`, or a number read as its decimal text.
    func quantity(at index: Int) throws -> Quantity {
        let text: String
        switch entries[index].kind {
        case .string: text = try decodeString(at: index)
        case .integer, .number:
            if let i = try? integer(Int64.self, at: index) { text = String(i) } else { text = String(try double(at: index)) }
        default: throw mismatch(Double.self, at: index)
        }
        do {
            return try Quantity(parsing: text)
        } catch {
            throw corrupted(error.description, at: index)
        }
    }
}
