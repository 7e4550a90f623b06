import Foundation
import KubeClient
import KubeModels
import MendTime

/// Sends nothing. Answers each write with a plausible result so the program carries on as it
/// would: patches answer the current object (read with a GET) with merge patches applied
/// locally, creates answer the object as given (named, stamped with the clock's time),
/// evictions answer `evicted` when the pod exists and `notFound` when it does not, AWS calls
/// answer success with no scaling activity. An Event patch answers even when the Event does not
/// exist (its creation was only pretended), so a repeated Event in a dry run is not a failure.
///
/// Reads are allowed in dry-run (that is how a laptop run against a real cluster sees it).
public struct DryRunWriteExecutor: WriteExecutor {
    let reader: KubernetesClient?
    let clock: any MendClock

    /// - Parameter reader: used for GETs only; without one, patches of objects fail with
    ///   ``WritePathError/notConfigured(verb:missing:)``.
    public init(reader: KubernetesClient?, clock: any MendClock = SystemClock()) {
        self.reader = reader
        self.clock = clock
    }

    public func execute(_ request: WriteRequest) async throws -> WriteResult {
        switch request {
        case .patchNode(let name, let patch), .patchNodeStatus(let name, let patch):
            return .node(try await patched(Node.self, name: name, namespace: nil, patch: patch, verb: request.verb))
        case .createEvent(let event):
            return .event(created(event))
        case .patchEvent(let name, let namespace, let patch):
            do {
                return .event(
                    try await patched(CoreV1Event.self, name: name, namespace: namespace, patch: patch, verb: request.verb))
            } catch let error as KubeClientError where error.isNotFound {
                // The Event was "created" in this dry run, so it was never stored: answer as if it had been.
                var base: JSONValue = ["metadata": ["name": .string(name), "namespace": .string(namespace)], "involvedObject": [:]]
                if case .merge(let body) = patch { base = Self.mergePatch(base, body) }
                guard let event = try? base.decode(as: CoreV1Event.self) else { throw error }
                return .event(event)
            }
        case .evictPod(let name, let namespace, _):
            let kube = try need(request)
            do {
                _ = try await kube.get(Pod.self, name: name, namespace: namespace)
                return .eviction(.evicted)
            } catch let error as KubeClientError where error.isNotFound {
                return .eviction(.notFound)
            }
        case .deletePod:
            return .done
        case .createConfigMap(let map):
            return .configMap(created(map))
        case .patchConfigMap(let name, let namespace, let patch):
            return .configMap(try await patched(ConfigMap.self, name: name, namespace: namespace, patch: patch, verb: request.verb))
        case .createLease(let lease):
            return .lease(created(lease))
        case .patchLease(let name, let namespace, let patch):
            return .lease(try await patched(Lease.self, name: name, namespace: namespace, patch: patch, verb: request.verb))
        case .setDesiredCapacity:
            return .done
        case .terminateInstance:
            return .done
        }
    }

    private func need(_ request: WriteRequest) throws -> KubernetesClient {
        guard let reader else { throw WritePathError.notConfigured(verb: request.verb, missing: "Kubernetes client for reads") }
        return reader
    }

    private func created<T: KubernetesObject>(_ object: T) -> T {
        var copy = object
        if copy.metadata.name == nil, let prefix = copy.metadata.generateName {
            copy.metadata.name = prefix + String(UUID().uuidString.lowercased().prefix(5))
        }
        if copy.metadata.creationTimestamp == nil { copy.metadata.creationTimestamp = KubeTime(clock.now) }
        return copy
    }

    private func patched<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, verb: String
    ) async throws -> T {
        guard let reader else { throw WritePathError.notConfigured(verb: verb, missing: "Kubernetes client for reads") }
        let current = try await reader.get(T.self, name: name, namespace: namespace)
        guard case .merge(let body) = patch else { return current }
        let merged = Self.mergePatch(try JSONValue(encoding: current), body)
        return (try? merged.decode(as: T.self)) ?? current
    }

    /// RFC 7386: objects merge key by key, `null` removes, anything else replaces.
    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var result: [String: JSONValue] = [:]
        if case .object(let existing) = target { result = existing }
        for (key, value) in changes {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = mergePatch(result[key] ?? .null, value)
            }
        }
        return .object(result)
    }
}
