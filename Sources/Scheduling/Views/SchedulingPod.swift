import KubeModels

/// What the scheduling predicates need to know about a pod, precomputed once so each check
/// against a node is cheap.
///
/// An immutable value: the requests and a few flags are stored inline, everything else in one
/// shared reference, so copying a pod view costs one reference count, not a dozen.
public struct SchedulingPod: Sendable, Hashable {
    /// The scheduler's effective request (see `PodResources`).
    public let requests: ResourceVector
    /// Whether a toleration covers `node.kubernetes.io/unschedulable:NoSchedule`.
    public let toleratesUnschedulable: Bool
    /// Whether the pod has a `nodeSelector` or required node affinity.
    public let hasNodeConstraints: Bool
    /// Whether the pod asks for host ports.
    public let hasHostPorts: Bool
    /// Whether the pod has anti-affinity terms the predicates evaluate.
    public let hasAntiAffinity: Bool
    @usableFromInline let details: Details

    /// The parts of a pod view that live behind one reference.
    @usableFromInline
    final class Details: Sendable, Hashable {
        let namespace: String
        let name: String
        let labels: [String: String]
        let nodeName: String?
        let tolerations: [Toleration]
        let nodeSelector: [String: String]
        let requiredNodeAffinity: NodeSelector?
        let hostPorts: [HostPort]
        let antiAffinityTerms: [AffinityTerm]
        let unsupportedConstraints: [String]

        init(
            namespace: String, name: String, labels: [String: String], nodeName: String?, tolerations: [Toleration],
            nodeSelector: [String: String], requiredNodeAffinity: NodeSelector?, hostPorts: [HostPort],
            antiAffinityTerms: [AffinityTerm], unsupportedConstraints: [String]
        ) {
            self.namespace = namespace
            self.name = name
            self.labels = labels
            self.nodeName = nodeName
            self.tolerations = tolerations
            self.nodeSelector = nodeSelector
            self.requiredNodeAffinity = requiredNodeAffinity
            self.hostPorts = hostPorts
            self.antiAffinityTerms = antiAffinityTerms
            self.unsupportedConstraints = unsupportedConstraints
        }

        @usableFromInline
        static func == (a: Details, b: Details) -> Bool {
            a === b
                || (a.namespace == b.namespace && a.name == b.name && a.labels == b.labels && a.nodeName == b.nodeName
                    && a.tolerations == b.tolerations && a.nodeSelector == b.nodeSelector
                    && a.requiredNodeAffinity == b.requiredNodeAffinity && a.hostPorts == b.hostPorts
                    && a.antiAffinityTerms == b.antiAffinityTerms
                    && a.unsupportedConstraints == b.unsupportedConstraints)
        }

        @usableFromInline
        func hash(into hasher: inout Hasher) {
            hasher.combine(namespace)
            hasher.combine(name)
            hasher.combine(labels)
        }
    }

    public var namespace: String { details.namespace }
    public var name: String { details.name }
    public var labels: [String: String] { details.labels }
    /// `spec.nodeName` when the pod is already bound or pinned to a node.
    public var nodeName: String? { details.nodeName }
    public var tolerations: [Toleration] { details.tolerations }
    public var nodeSelector: [String: String] { details.nodeSelector }
    public var requiredNodeAffinity: NodeSelector? { details.requiredNodeAffinity }
    public var hostPorts: [HostPort] { details.hostPorts }
    /// Required anti-affinity terms the predicates evaluate (topology `kubernetes.io/hostname`).
    public var antiAffinityTerms: [AffinityTerm] { details.antiAffinityTerms }
    /// Required constraints this module cannot evaluate (pod affinity, anti-affinity over
    /// other topology keys), described for logs. Callers decide whether to trust a fit.
    public var unsupportedConstraints: [String] { details.unsupportedConstraints }

    /// A pod view from its parts.
    public init(
        namespace: String, name: String, labels: [String: String] = [:], nodeName: String? = nil,
        requests: ResourceVector, tolerations: [Toleration] = [], nodeSelector: [String: String] = [:],
        requiredNodeAffinity: NodeSelector? = nil, hostPorts: [HostPort] = [], antiAffinityTerms: [AffinityTerm] = [],
        unsupportedConstraints: [String] = []
    ) {
        self.requests = requests
        let unschedulableTaint = Taint(key: NodeTaints.unschedulable, effect: .noSchedule)
        toleratesUnschedulable = tolerations.contains { $0.tolerates(unschedulableTaint) }
        hasNodeConstraints = !nodeSelector.isEmpty || requiredNodeAffinity != nil
        hasHostPorts = !hostPorts.isEmpty
        hasAntiAffinity = !antiAffinityTerms.isEmpty
        details = Details(
            namespace: namespace, name: name, labels: labels, nodeName: nodeName, tolerations: tolerations,
            nodeSelector: nodeSelector, requiredNodeAffinity: requiredNodeAffinity, hostPorts: hostPorts,
            antiAffinityTerms: antiAffinityTerms, unsupportedConstraints: unsupportedConstraints)
    }

    /// The view of a full Pod.
    ///
    /// - Parameter namespaceLabels: the labels of a namespace, used to resolve affinity terms'
    ///   `namespaceSelector`; when it returns nil, a non-empty selector matches no namespace.
    public init(_ pod: Pod, namespaceLabels: (String) -> [String: String]? = { _ in nil }, allNamespaces: [String] = [])
    {
        let namespace = pod.metadata.namespace ?? ""
        let affinity = pod.spec.affinity
        let (terms, unsupported) = Self.compile(
            anti: affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
            affinity: affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
            namespace: namespace, namespaceLabels: namespaceLabels, allNamespaces: allNamespaces)
        self.init(
            namespace: namespace, name: pod.metadata.name ?? "", labels: pod.metadata.labels ?? [:],
            nodeName: pod.spec.nodeName, requests: ResourceVector(pod.effectiveRequests),
            tolerations: pod.spec.tolerations ?? [], nodeSelector: pod.spec.nodeSelector ?? [:],
            requiredNodeAffinity: affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
            hostPorts: pod.hostPorts, antiAffinityTerms: terms, unsupportedConstraints: unsupported)
    }

    /// The view of a slim pod; agrees with ``init(_:namespaceLabels:allNamespaces:)`` on the
    /// same pod.
    public init(
        _ pod: PodSummary, namespaceLabels: (String) -> [String: String]? = { _ in nil }, allNamespaces: [String] = []
    ) {
        var (terms, unsupported) = Self.compile(
            anti: pod.requiredAntiAffinity, affinity: [], namespace: pod.namespace, namespaceLabels: namespaceLabels,
            allNamespaces: allNamespaces)
        if pod.hasRequiredPodAffinity { unsupported.insert("required pod affinity", at: 0) }
        self.init(
            namespace: pod.namespace, name: pod.name, labels: pod.labels, nodeName: pod.nodeName,
            requests: pod.requests, tolerations: pod.tolerations, nodeSelector: pod.nodeSelector,
            requiredNodeAffinity: pod.requiredNodeAffinity, hostPorts: pod.hostPorts, antiAffinityTerms: terms,
            unsupportedConstraints: unsupported)
    }

    /// `namespace/name`.
    public var key: String { "\(namespace)/\(name)" }

    /// The same pod bound to `nodeName` (nil: unbound, as a pod to be moved elsewhere is
    /// simulated). Shares everything else; no constraint is compiled again.
    public func withNodeName(_ nodeName: String?) -> SchedulingPod {
        let d = details
        return SchedulingPod(
            namespace: d.namespace, name: d.name, labels: d.labels, nodeName: nodeName, requests: requests,
            tolerations: d.tolerations, nodeSelector: d.nodeSelector, requiredNodeAffinity: d.requiredNodeAffinity,
            hostPorts: d.hostPorts, antiAffinityTerms: d.antiAffinityTerms,
            unsupportedConstraints: d.unsupportedConstraints)
    }

    private static func compile(
        anti: [PodAffinityTerm], affinity: [PodAffinityTerm], namespace: String,
        namespaceLabels: (String) -> [String: String]?, allNamespaces: [String]
    ) -> ([AffinityTerm], [String]) {
        var terms: [AffinityTerm] = []
        var unsupported: [String] = []
        if !affinity.isEmpty { unsupported.append("required pod affinity") }
        for term in anti {
            if term.topologyKey == AffinityTerm.hostnameTopologyKey {
                terms.append(
                    AffinityTerm(
                        term, ownerNamespace: namespace, namespaceLabels: namespaceLabels, allNamespaces: allNamespaces)
                )
            } else {
                unsupported.append("required pod anti-affinity with topologyKey \(term.topologyKey)")
            }
        }
        return (terms, unsupported)
    }
}

/// A required pod (anti-)affinity term, compiled: which namespaces and labels it matches.
public struct AffinityTerm: Sendable, Hashable {
    /// The only topology key the predicates evaluate: one node is one domain.
    public static let hostnameTopologyKey = NodeLabels.hostname

    /// Nil matches no pod (as the API defines a null label selector in a term).
    public var selector: LabelSelector?
    /// The namespaces the term covers, unless ``matchesAllNamespaces``.
    public var namespaces: Set<String>
    /// Set by an empty `namespaceSelector` (`{}`).
    public var matchesAllNamespaces: Bool
    public var topologyKey: String

    public init(
        selector: LabelSelector?, namespaces: Set<String>, matchesAllNamespaces: Bool = false,
        topologyKey: String = AffinityTerm.hostnameTopologyKey
    ) {
        self.selector = selector
        self.namespaces = namespaces
        self.matchesAllNamespaces = matchesAllNamespaces
        self.topologyKey = topologyKey
    }

    /// Compiles a term carried by a pod in `ownerNamespace`. With neither `namespaces` nor
    /// `namespaceSelector`, the term covers the owner's namespace. A non-empty
    /// `namespaceSelector` adds every namespace in `allNamespaces` whose labels it matches.
    public init(
        _ term: PodAffinityTerm, ownerNamespace: String, namespaceLabels: (String) -> [String: String]?,
        allNamespaces: [String]
    ) {
        var namespaces = Set(term.namespaces ?? [])
        var all = false
        if let nsSelector = term.namespaceSelector {
            if nsSelector.isEmpty {
                all = true
            } else {
                for ns in allNamespaces {
                    if let labels = namespaceLabels(ns), nsSelector.matches(labels) { namespaces.insert(ns) }
                }
            }
        } else if namespaces.isEmpty {
            namespaces.insert(ownerNamespace)
        }
        self.init(
            selector: term.labelSelector, namespaces: namespaces, matchesAllNamespaces: all,
            topologyKey: term.topologyKey)
    }

    /// Whether a pod in `namespace` with `labels` matches this term.
    @inlinable
    public func matches(namespace: String, labels: [String: String]) -> Bool {
        guard let selector, matchesAllNamespaces || namespaces.contains(namespace) else { return false }
        return selector.matches(labels)
    }
}
