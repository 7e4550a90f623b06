/// The fast path behind ``Pod``'s `Decodable` conformance when ``KubeJSONDecoder`` decodes
/// (alone, in lists and in watch events): one walk over each object's members, dispatching on
/// the model's own `CodingKeys` (an exhaustive `switch`, so a new key cannot be forgotten)
/// and skipping unknown members in one step. Results, defaults (`PodSpec()`/`PodStatus()` for
/// an absent or null `spec`/`status`, null as absent for optionals) and errors with their
/// coding paths match the `Decoder`-protocol path; the tests compare the two on every fixture,
/// on generated pods and on malformed ones. (One difference: below the pod's top level the
/// members are read in document order, so when one object holds two errors the one reported
/// may be the other one.) Rarely present members (affinity, volume sources) still take the
/// `Decoder`-protocol path through ``decode(_:at:)``.
extension JSONTape {
    private static let podKeys = TapeKeys<Pod.CodingKeys>()
    private static let specKeys = TapeKeys<PodSpec.CodingKeys>()
    private static let containerKeys = TapeKeys<Container.CodingKeys>()
    private static let portKeys = TapeKeys<ContainerPort.CodingKeys>()
    private static let resourceKeys = TapeKeys<ResourceRequirements.CodingKeys>()
    private static let tolerationKeys = TapeKeys<Toleration.CodingKeys>()
    private static let volumeKeys = TapeKeys<Volume.TypedKeys>()
    private static let statusKeys = TapeKeys<PodStatus.CodingKeys>()
    private static let conditionKeys = TapeKeys<PodCondition.CodingKeys>()
    private static let podIPKeys = TapeKeys<PodIP.CodingKeys>()
    private static let containerStatusKeys = TapeKeys<ContainerStatus.CodingKeys>()
    private static let stateKeys = TapeKeys<ContainerState.CodingKeys>()
    private static let waitingKeys = TapeKeys<ContainerState.Waiting.CodingKeys>()
    private static let runningKeys = TapeKeys<ContainerState.Running.CodingKeys>()
    private static let terminatedKeys = TapeKeys<ContainerState.Terminated.CodingKeys>()

    /// Value `index` as a ``Pod``. The members are found first and read in declaration order,
    /// so a pod with several problems reports the one the `Decoder`-protocol path reports.
    func pod(at index: Int) throws -> Pod {
        let object = try requireObject(index)
        var members: (apiVersion: Int?, kind: Int?, metadata: Int?, spec: Int?, status: Int?)
        forEachMember(of: object, Self.podKeys) { key, value in
            switch key {
            case .apiVersion: members.apiVersion = value
            case .kind: members.kind = value
            case .metadata: members.metadata = value
            case .spec: members.spec = value
            case .status: members.status = value
            }
        }
        if let value = members.apiVersion, !isNull(value) {
            try expect(Pod.resourceType.apiVersion, at: value, field: "apiVersion")
        }
        if let value = members.kind, !isNull(value) { try expect(Pod.resourceType.kind, at: value, field: "kind") }
        let metadata = try objectMeta(at: try required(members.metadata, "metadata", in: object))
        var spec = PodSpec()
        if let value = members.spec, !isNull(value) { spec = try podSpec(at: value) }
        var status = PodStatus()
        if let value = members.status, !isNull(value) { status = try podStatus(at: value) }
        return Pod(metadata: metadata, spec: spec, status: status)
    }

    /// Checks an `apiVersion` or `kind` member against the type's (as ``APIVersionField`` and
    /// ``KindField`` do).
    private func expect(_ expected: String, at index: Int, field: String) throws {
        let found = try decodeString(at: index)
        guard found != expected else { return }
        throw corrupted(
            field == "kind"
                ? "kind '\(found)' does not match expected '\(expected)'"
                : "apiVersion '\(found)' does not match \(Pod.resourceType.kind) (expected '\(expected)')", at: index)
    }

    // MARK: Spec

    private func podSpec(at index: Int) throws -> PodSpec {
        let object = try requireObject(index)
        var s = PodSpec()
        var containers: [Container]?
        try forEachMember(of: object, Self.specKeys) { key, value in
            if key == .containers {
                containers = try array(at: value, container)
                return
            }
            if isNull(value) { return }
            switch key {
            case .volumes: s.volumes = try array(at: value, volume)
            case .initContainers: s.initContainers = try array(at: value, container)
            case .containers: break
            case .ephemeralContainers: s.ephemeralContainers = try jsonArray(at: value)
            case .restartPolicy: s.restartPolicy = try decodeString(at: value)
            case .terminationGracePeriodSeconds: s.terminationGracePeriodSeconds = try integer(Int64.self, at: value)
            case .activeDeadlineSeconds: s.activeDeadlineSeconds = try integer(Int64.self, at: value)
            case .dnsPolicy: s.dnsPolicy = try decodeString(at: value)
            case .nodeSelector: s.nodeSelector = try stringMap(at: value)
            case .serviceAccountName: s.serviceAccountName = try decodeString(at: value)
            case .serviceAccount: s.serviceAccount = try decodeString(at: value)
            case .automountServiceAccountToken: s.automountServiceAccountToken = try bool(at: value)
            case .nodeName: s.nodeName = try decodeString(at: value)
            case .hostNetwork: s.hostNetwork = try bool(at: value)
            case .hostPID: s.hostPID = try bool(at: value)
            case .hostIPC: s.hostIPC = try bool(at: value)
            case .shareProcessNamespace: s.shareProcessNamespace = try bool(at: value)
            case .securityContext: s.securityContext = try jsonValue(at: value)
            case .imagePullSecrets: s.imagePullSecrets = try jsonArray(at: value)
            case .hostname: s.hostname = try decodeString(at: value)
            case .subdomain: s.subdomain = try decodeString(at: value)
            case .affinity: s.affinity = try decode(Affinity.self, at: value)
            case .schedulerName: s.schedulerName = try decodeString(at: value)
            case .tolerations: s.tolerations = try array(at: value, toleration)
            case .hostAliases: s.hostAliases = try jsonArray(at: value)
            case .priorityClassName: s.priorityClassName = try decodeString(at: value)
            case .priority: s.priority = try integer(Int32.self, at: value)
            case .dnsConfig: s.dnsConfig = try jsonValue(at: value)
            case .readinessGates: s.readinessGates = try jsonArray(at: value)
            case .runtimeClassName: s.runtimeClassName = try decodeString(at: value)
            case .enableServiceLinks: s.enableServiceLinks = try bool(at: value)
            case .preemptionPolicy: s.preemptionPolicy = try decodeString(at: value)
            case .overhead: s.overhead = try quantities(at: value)
            case .topologySpreadConstraints: s.topologySpreadConstraints = try jsonArray(at: value)
            case .os: s.os = try jsonValue(at: value)
            case .schedulingGates: s.schedulingGates = try jsonArray(at: value)
            }
        }
        s.containers = try required(containers, "containers", in: object)
        return s
    }

    private func container(at index: Int) throws -> Container {
        let object = try requireObject(index)
        var c = Container(name: "")
        var name: String?
        try forEachMember(of: object, Self.containerKeys) { key, value in
            if key == .name {
                name = try decodeString(at: value)
                return
            }
            if isNull(value) { return }
            switch key {
            case .name: break
            case .image: c.image = try decodeString(at: value)
            case .command: c.command = try stringArray(at: value)
            case .args: c.args = try stringArray(at: value)
            case .workingDir: c.workingDir = try decodeString(at: value)
            case .ports: c.ports = try array(at: value, containerPort)
            case .envFrom: c.envFrom = try jsonArray(at: value)
            case .env: c.env = try jsonArray(at: value)
            case .resources: c.resources = try resourceRequirements(at: value)
            case .resizePolicy: c.resizePolicy = try jsonArray(at: value)
            case .restartPolicy: c.restartPolicy = try decodeString(at: value)
            case .volumeMounts: c.volumeMounts = try jsonArray(at: value)
            case .volumeDevices: c.volumeDevices = try jsonArray(at: value)
            case .livenessProbe: c.livenessProbe = try jsonValue(at: value)
            case .readinessProbe: c.readinessProbe = try jsonValue(at: value)
            case .startupProbe: c.startupProbe = try jsonValue(at: value)
            case .lifecycle: c.lifecycle = try jsonValue(at: value)
            case .terminationMessagePath: c.terminationMessagePath = try decodeString(at: value)
            case .terminationMessagePolicy: c.terminationMessagePolicy = try decodeString(at: value)
            case .imagePullPolicy: c.imagePullPolicy = try decodeString(at: value)
            case .securityContext: c.securityContext = try jsonValue(at: value)
            case .stdin: c.stdin = try bool(at: value)
            case .stdinOnce: c.stdinOnce = try bool(at: value)
            case .tty: c.tty = try bool(at: value)
            }
        }
        c.name = try required(name, "name", in: object)
        return c
    }

    func containerPort(at index: Int) throws -> ContainerPort {
        let object = try requireObject(index)
        var p = ContainerPort(containerPort: 0)
        var containerPort: Int32?
        try forEachMember(of: object, Self.portKeys) { key, value in
            if key == .containerPort {
                containerPort = try integer(Int32.self, at: value)
                return
            }
            if isNull(value) { return }
            switch key {
            case .containerPort: break
            case .hostPort: p.hostPort = try integer(Int32.self, at: value)
            case .protocol: p.protocol = try decodeString(at: value)
            case .hostIP: p.hostIP = try decodeString(at: value)
            case .name: p.name = try decodeString(at: value)
            }
        }
        p.containerPort = try required(containerPort, "containerPort", in: object)
        return p
    }

    private func resourceRequirements(at index: Int) throws -> ResourceRequirements {
        var r = ResourceRequirements()
        try forEachMember(of: try requireObject(index), Self.resourceKeys) { key, value in
            if isNull(value) { return }
            switch key {
            case .requests: r.requests = try quantities(at: value)
            case .limits: r.limits = try quantities(at: value)
            case .claims: r.claims = try jsonArray(at: value)
            }
        }
        return r
    }

    func toleration(at index: Int) throws -> Toleration {
        var t = Toleration()
        try forEachMember(of: try requireObject(index), Self.tolerationKeys) { key, value in
            if isNull(value) { return }
            switch key {
            case .key: t.key = try decodeString(at: value)
            case .operator: t.operator = TolerationOperator(rawValue: try decodeString(at: value))
            case .value: t.value = try decodeString(at: value)
            case .effect: t.effect = TaintEffect(rawValue: try decodeString(at: value))
            case .tolerationSeconds: t.tolerationSeconds = try integer(Int64.self, at: value)
            }
        }
        return t
    }

    /// A volume: the typed sources by name, every other member kept in `otherSources`.
    private func volume(at index: Int) throws -> Volume {
        let object = try requireObject(index)
        var v = Volume(name: "")
        var name: String?
        var seen: UInt64 = 0
        try forEachMember(of: object) { keyIndex, value in
            guard let position = Self.volumeKeys.position(of: keyIndex, in: self) else {
                // An unknown source; a repeated name counts once (the first), as on the other path.
                if let other = string(at: keyIndex), v.otherSources[other] == nil {
                    v.otherSources[other] = try jsonValue(at: value)
                }
                return
            }
            guard seen & (1 << UInt64(position)) == 0 else { return }
            seen |= 1 << UInt64(position)
            let key = Self.volumeKeys.key(at: position)
            if key == .name {
                name = try decodeString(at: value)
                return
            }
            if isNull(value) { return }
            switch key {
            case .name: break
            case .emptyDir: v.emptyDir = try decode(EmptyDirVolumeSource.self, at: value)
            case .hostPath: v.hostPath = try decode(HostPathVolumeSource.self, at: value)
            case .persistentVolumeClaim:
                v.persistentVolumeClaim = try decode(PersistentVolumeClaimVolumeSource.self, at: value)
            case .configMap: v.configMap = try decode(ConfigMapVolumeSource.self, at: value)
            case .secret: v.secret = try decode(SecretVolumeSource.self, at: value)
            case .projected: v.projected = try decode(ProjectedVolumeSource.self, at: value)
            }
        }
        v.name = try required(name, "name", in: object)
        return v
    }

    // MARK: Status

    private func podStatus(at index: Int) throws -> PodStatus {
        var s = PodStatus()
        try forEachMember(of: try requireObject(index), Self.statusKeys) { key, value in
            if isNull(value) { return }
            switch key {
            case .phase: s.phase = PodPhase(rawValue: try decodeString(at: value))
            case .conditions: s.conditions = try array(at: value, podCondition)
            case .message: s.message = try decodeString(at: value)
            case .reason: s.reason = try decodeString(at: value)
            case .nominatedNodeName: s.nominatedNodeName = try decodeString(at: value)
            case .hostIP: s.hostIP = try decodeString(at: value)
            case .hostIPs: s.hostIPs = try array(at: value, podIP)
            case .podIP: s.podIP = try decodeString(at: value)
            case .podIPs: s.podIPs = try array(at: value, podIP)
            case .startTime: s.startTime = try kubeTime(at: value)
            case .initContainerStatuses: s.initContainerStatuses = try array(at: value, containerStatus)
            case .containerStatuses: s.containerStatuses = try array(at: value, containerStatus)
            case .qosClass: s.qosClass = try decodeString(at: value)
            }
        }
        return s
    }

    private func podIP(at index: Int) throws -> PodIP {
        let object = try requireObject(index)
        var ip: String?
        try forEachMember(of: object, Self.podIPKeys) { _, value in ip = try decodeString(at: value) }
        return PodIP(ip: try required(ip, "ip", in: object))
    }

    private func podCondition(at index: Int) throws -> PodCondition {
        let object = try requireObject(index)
        var c = PodCondition(type: "", status: "")
        var type: String?
        var status: String?
        try forEachMember(of: object, Self.conditionKeys) { key, value in
            switch key {
            case .type: type = try decodeString(at: value)
            case .status: status = try decodeString(at: value)
            case .lastProbeTime: c.lastProbeTime = isNull(value) ? nil : try kubeTime(at: value)
            case .lastTransitionTime: c.lastTransitionTime = isNull(value) ? nil : try kubeTime(at: value)
            case .reason: c.reason = try optionalString(at: value)
            case .message: c.message = try optionalString(at: value)
            }
        }
        c.type = PodConditionType(rawValue: try required(type, "type", in: object))
        c.status = ConditionStatus(rawValue: try required(status, "status", in: object))
        return c
    }

    private func containerStatus(at index: Int) throws -> ContainerStatus {
        let object = try requireObject(index)
        var c = ContainerStatus(name: "", ready: false)
        var name: String?
        var ready: Bool?
        var restartCount: Int32?
        try forEachMember(of: object, Self.containerStatusKeys) { key, value in
            switch key {
            case .name: name = try decodeString(at: value)
            case .ready: ready = try bool(at: value)
            case .restartCount: restartCount = try integer(Int32.self, at: value)
            case .state: c.state = isNull(value) ? nil : try containerState(at: value)
            case .lastState: c.lastState = isNull(value) ? nil : try containerState(at: value)
            case .image: c.image = try optionalString(at: value)
            case .imageID: c.imageID = try optionalString(at: value)
            case .containerID: c.containerID = try optionalString(at: value)
            case .started: c.started = isNull(value) ? nil : try bool(at: value)
            }
        }
        c.name = try required(name, "name", in: object)
        c.ready = try required(ready, "ready", in: object)
        c.restartCount = try required(restartCount, "restartCount", in: object)
        return c
    }

    private func containerState(at index: Int) throws -> ContainerState {
        var s = ContainerState()
        try forEachMember(of: try requireObject(index), Self.stateKeys) { key, value in
            if isNull(value) { return }
            switch key {
            case .waiting:
                var w = ContainerState.Waiting()
                try forEachMember(of: try requireObject(value), Self.waitingKeys) { key, value in
                    switch key {
                    case .reason: w.reason = try optionalString(at: value)
                    case .message: w.message = try optionalString(at: value)
                    }
                }
                s.waiting = w
            case .running:
                var r = ContainerState.Running()
                try forEachMember(of: try requireObject(value), Self.runningKeys) { _, value in
                    r.startedAt = isNull(value) ? nil : try kubeTime(at: value)
                }
                s.running = r
            case .terminated: s.terminated = try terminated(at: value)
            }
        }
        return s
    }

    private func terminated(at index: Int) throws -> ContainerState.Terminated {
        let object = try requireObject(index)
        var t = ContainerState.Terminated(exitCode: 0)
        var exitCode: Int32?
        try forEachMember(of: object, Self.terminatedKeys) { key, value in
            if key == .exitCode {
                exitCode = try integer(Int32.self, at: value)
                return
            }
            if isNull(value) { return }
            switch key {
            case .exitCode: break
            case .signal: t.signal = try integer(Int32.self, at: value)
            case .reason: t.reason = try decodeString(at: value)
            case .message: t.message = try decodeString(at: value)
            case .startedAt: t.startedAt = try kubeTime(at: value)
            case .finishedAt: t.finishedAt = try kubeTime(at: value)
            case .containerID: t.containerID = try decodeString(at: value)
            }
        }
        t.exitCode = try required(exitCode, "exitCode", in: object)
        return t
    }
}
