import Foundation
import KubeClient
import KubeModels
import MendCore

/// The drainer's own state that is about no single node (today: the storm cool-down), kept in
/// the cluster so a restarted or newly elected drainer honours it.
public struct DrainerState: Sendable, Hashable {
    /// No new cordons before this time (a storm hit the cordon limit).
    public var stormCooldownUntil: Date?

    public init(stormCooldownUntil: Date? = nil) { self.stormCooldownUntil = stormCooldownUntil }
}

/// Where ``DrainerState`` lives. Reads and writes may fail; the reconciler retries.
public protocol DrainerStateStore: Sendable {
    /// The stored state (empty when nothing was stored yet).
    func load() async throws -> DrainerState
    /// Stores `state`, replacing what was there.
    func save(_ state: DrainerState) async throws
}

/// ``DrainerStateStore`` in a small ConfigMap (default `mend-drainer-state` in the drainer's
/// namespace), read through the client and written through MendCore's `WritePath`, so a
/// dry-run drainer reads the state but writes nothing.
///
/// Data keys: `stormCooldownUntil` (RFC 3339, absent when no cool-down was ever set).
public struct ConfigMapStateStore: DrainerStateStore {
    public static let defaultName = "mend-drainer-state"
    /// The data key of ``DrainerState/stormCooldownUntil``.
    public static let stormCooldownUntilKey = "stormCooldownUntil"

    public let client: KubernetesClient
    public let writes: WritePath
    public let namespace: String
    public let name: String

    public init(client: KubernetesClient, writes: WritePath, namespace: String, name: String = Self.defaultName) {
        self.client = client
        self.writes = writes
        self.namespace = namespace
        self.name = name
    }

    public func load() async throws -> DrainerState {
        let map: ConfigMap
        do {
            map = try await client.get(ConfigMap.self, name: name, namespace: namespace)
        } catch let error as KubeClientError where error.isNotFound {
            return DrainerState()
        }
        return Self.state(from: map.data ?? [:])
    }

    public func save(_ state: DrainerState) async throws {
        let data = Self.data(for: state)
        do {
            let patch: JSONValue = ["data": .object(data.mapValues { $0.map(JSONValue.string) ?? .null })]
            _ = try await writes.patchConfigMap(name, namespace: namespace, patch: .merge(patch))
        } catch let error as KubeClientError where error.isNotFound {
            let map = ConfigMap(
                metadata: ObjectMeta(
                    name: name, namespace: namespace,
                    labels: ["app.kubernetes.io/name": "mend-drainer", "app.kubernetes.io/part-of": "mend"]),
                data: data.compactMapValues { $0 })
            _ = try await writes.createConfigMap(map)
        }
    }

    static func state(from data: [String: String]) -> DrainerState {
        let until = data[stormCooldownUntilKey].flatMap { try? KubeTime(parsing: $0).date }
        return DrainerState(stormCooldownUntil: until)
    }

    static func data(for state: DrainerState) -> [String: String?] {
        [stormCooldownUntilKey: state.stormCooldownUntil.map { KubeTime($0).description }]
    }
}

/// ``DrainerStateStore`` in memory: for tests and for programs that do not persist (the state
/// is lost on restart).
public actor InMemoryStateStore: DrainerStateStore {
    private var state: DrainerState

    public init(_ state: DrainerState = DrainerState()) { self.state = state }

    public func load() async throws -> DrainerState { state }
    public func save(_ state: DrainerState) async throws { self.state = state }
}
