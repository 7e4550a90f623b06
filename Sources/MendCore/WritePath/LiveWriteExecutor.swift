import AWSClient
import KubeClient
import KubeModels

/// Sends every write: Kubernetes calls through a ``KubernetesClient``, AWS calls through an
/// ``AutoScalingAPI``. Either may be absent for programs that do not need it.
public struct LiveWriteExecutor: WriteExecutor {
    let kubernetes: KubernetesClient?
    let autoScaling: (any AutoScalingAPI)?

    public init(kubernetes: KubernetesClient?, autoScaling: (any AutoScalingAPI)? = nil) {
        self.kubernetes = kubernetes
        self.autoScaling = autoScaling
    }

    public func execute(_ request: WriteRequest) async throws -> WriteResult {
        switch request {
        case .setDesiredCapacity(let group, let capacity, let honorCooldown):
            try await aws(request).setDesiredCapacity(groupName: group, desiredCapacity: capacity, honorCooldown: honorCooldown)
            return .done
        case .terminateInstance(_, let id, let decrement):
            return .scalingActivity(
                try await aws(request).terminateInstanceInAutoScalingGroup(instanceID: id, shouldDecrementDesiredCapacity: decrement))
        default:
            break
        }
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
            preconditionFailure("handled above")
        }
    }

    private func aws(_ request: WriteRequest) throws -> any AutoScalingAPI {
        guard let autoScaling else { throw WritePathError.notConfigured(verb: request.verb, missing: "AWS Auto Scaling client") }
        return autoScaling
    }
}
