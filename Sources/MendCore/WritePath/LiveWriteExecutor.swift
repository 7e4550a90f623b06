import KubeClient
import KubeModels

/// Sends Kubernetes writes through a ``KubernetesClient``.
///
/// Capacity writes (set desired capacity, terminate an instance) belong to a node-group provider:
/// the autoscaler wraps this executor in one that sends them there (AWS Auto Scaling or the
/// simulated cloud). Here they are refused, so MendCore, and every program but the autoscaler,
/// carries no cloud client.
public struct LiveWriteExecutor: WriteExecutor {
    let kubernetes: KubernetesClient?

    public init(kubernetes: KubernetesClient?) {
        self.kubernetes = kubernetes
    }

    public func execute(_ request: WriteRequest) async throws -> WriteResult {
        if case .setDesiredCapacity = request { throw WritePathError.notConfigured(verb: request.verb, missing: "node-group provider") }
        if case .terminateInstance = request { throw WritePathError.notConfigured(verb: request.verb, missing: "node-group provider") }
        guard let kube = kubernetes else { throw WritePathError.notConfigured(verb: request.verb, missing: "Kubernetes client") }
        switch request {
        case .patchNode(let name, let patch):
            return .node(try await kube.patch(Node.self, name: name, patch: patch))
        case .patchNodeStatus(let name, let patch):
            return .node(try await kube.patchStatus(Node.self, name: name, patch: patch))
        case .createEvent(let event):
            return .event(try await kube.create(event))
        case .patchEvent(let name, let namespace, let patch):
            return .event(try await kube.patch(CoreV1Event.self, name: name, namespace: namespace, patch: patch))
        case .evictPod(let name, let namespace, let options):
            return .eviction(try await kube.evict(pod: name, namespace: namespace, deleteOptions: options))
        case .deletePod(let name, let namespace, let options):
            try await kube.delete(Pod.self, name: name, namespace: namespace, options: options)
            return .done
        case .createConfigMap(let map):
            return .configMap(try await kube.create(map))
        case .patchConfigMap(let name, let namespace, let patch):
            return .configMap(try await kube.patch(ConfigMap.self, name: name, namespace: namespace, patch: patch))
        case .createLease(let lease):
            return .lease(try await kube.create(lease))
        case .patchLease(let name, let namespace, let patch):
            return .lease(try await kube.patch(Lease.self, name: name, namespace: namespace, patch: patch))
        case .setDesiredCapacity, .terminateInstance:
            preconditionFailure("refused above")
        }
    }
}
