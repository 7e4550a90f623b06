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
