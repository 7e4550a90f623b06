import Foundation
import KubeModels
import MendTestSupport
import Testing
@testable import ClusterSim

/// Runs the real kubectl against ClusterSim.
enum Kubectl {
    static var path: String? {
        let candidate = ProcessInfo.processInfo.environment["MEND_KUBECTL"] ?? "/usr/bin/kubectl"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// Runs kubectl with a hard time limit.
    static func run(_ arguments: [String], kubeconfig: URL, timeout: Duration = .seconds(60)) async throws -> ProgramResult {
        try await ProgramRun.run(
            URL(fileURLWithPath: try #require(path)), ["--kubeconfig", kubeconfig.path] + arguments, timeout: timeout)
    }
}

@Suite("kubectl against ClusterSim", .enabled(if: Kubectl.path != nil, "kubectl not found (set MEND_KUBECTL or install /usr/bin/kubectl)"))
struct KubectlTests {
    static func withKubectlServer(_ body: (ClusterSimServer, URL) async throws -> Void) async throws {
        var configuration = ClusterSimServer.Configuration()
        configuration.tls = true
        configuration.tokens = ["kubectl-token": "admin"]
        let server = try await ClusterSimServer.start(configuration)
        let kubeconfig = try server.writeKubeconfig()
        do {
            try await body(server, kubeconfig)
        } catch {
            try? FileManager.default.removeItem(at: kubeconfig)
            try? await server.shutdown()
            throw error
        }
        try? FileManager.default.removeItem(at: kubeconfig)
        try await server.shutdown()
    }

    @Test func getNodesAsJSONListsTheNodes() async throws {
        try await Self.withKubectlServer { server, kubeconfig in
            try server.store.create(server.store.nodes, namespace: nil, object: Fixtures.node("node-a", labels: ["zone": "a"]))
            let result = try await Kubectl.run(["get", "nodes", "-o", "json"], kubeconfig: kubeconfig)
            #expect(result.status == 0, "\(result.stderr)")
            let json = try JSONCodec.parse(Array(result.stdout.utf8))
            #expect(json["items"]?.arrayValue?.first?[path: ["metadata", "labels", "zone"]] == "a")
        }
    }

    @Test func getPodsInAllNamespacesPrintsTheTable() async throws {
        try await Self.withKubectlServer { server, kubeconfig in
            try server.store.seedRunningPod("web-1")
            try server.store.create(server.store.pods, namespace: "kube-system", object: Fixtures.pod("dns", namespace: "kube-system"))
            let result = try await Kubectl.run(["get", "pods", "-A"], kubeconfig: kubeconfig)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(lines.first == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"])
            #expect(lines.contains { $0.starts(with: ["default", "web-1", "1/1", "Running", "0"]) })
            #expect(lines.contains { $0.starts(with: ["kube-system", "dns", "0/1", "Pending", "0"]) })
        }
    }

    @Test func cordonUncordonAndLabelChangeTheNode() async throws {
        try await Self.withKubectlServer { server, kubeconfig in
            let store = server.store
            try store.create(store.nodes, namespace: nil, object: Fixtures.node("node-a"))
            var result = try await Kubectl.run(["cordon", "node-a"], kubeconfig: kubeconfig)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try store.get(store.nodes, namespace: nil, name: "node-a")[path: ["spec", "unschedulable"]] == true)
            let table = try await Kubectl.run(["get", "nodes"], kubeconfig: kubeconfig)
            #expect(table.stdout.contains("Ready,SchedulingDisabled"))
            result = try await Kubectl.run(["uncordon", "node-a"], kubeconfig: kubeconfig)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try store.get(store.nodes, namespace: nil, name: "node-a")[path: ["spec", "unschedulable"]] == nil)
            result = try await Kubectl.run(["label", "node", "node-a", "mend.example.com/healthy=false"], kubeconfig: kubeconfig)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try store.get(store.nodes, namespace: nil, name: "node-a")[path: ["metadata", "labels", "mend.example.com/healthy"]] == "false")
            #expect(server.audit.writes.allSatisfy { $0.user == "admin" })
        }
    }

    @Test func createAndApplyWorkWithDefaultValidation() async throws {
        try await Self.withKubectlServer { server, kubeconfig in
            let manifest = FileManager.default.temporaryDirectory.appendingPathComponent("clustersim-\(UUID().uuidString).yaml")
            defer { try? FileManager.default.removeItem(at: manifest) }
            func write(_ value: String) throws {
                try Data("""
                    apiVersion: apps/v1
                    kind: DaemonSet
                    metadata:
                      name: agent
                      namespace: kube-system
                    spec:
                      selector:
                        matchLabels: {app: agent}
                      template:
                        metadata:
                          labels: {app: agent}
                        spec:
                          containers:
                          - name: agent
                            image: agent:\(value)
                    """.utf8).write(to: manifest)
            }
            try write("1")
            var result = try await Kubectl.run(["create", "-f", manifest.path], kubeconfig: kubeconfig)
            #expect(result.status == 0, "\(result.stderr)")
            try write("2")
            result = try await Kubectl.run(["apply", "-f", manifest.path], kubeconfig: kubeconfig)
            #expect(result.status == 0, "\(result.stderr)")
            let ds = try server.store.get(server.store.resource("daemonsets", group: "apps")!, namespace: "kube-system", name: "agent")
            #expect(ds[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "agent:2")
            #expect(ds[path: ["metadata", "generation"]] == 2)
            result = try await Kubectl.run(["apply", "--server-side", "--force-conflicts", "-f", manifest.path], kubeconfig: kubeconfig)
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test func clientCertificateKubeconfigAuthenticatesKubectl() async throws {
        var configuration = ClusterSimServer.Configuration()
        configuration.tls = true
        configuration.requireAuthentication = true
        let server = try await ClusterSimServer.start(configuration)
        let kubeconfig = try server.writeKubeconfig(credentials: .clientCertificate(commonName: "carol", groups: ["system:masters"]))
        defer { try? FileManager.default.removeItem(at: kubeconfig) }
        try server.store.create(server.store.nodes, namespace: nil, object: Fixtures.node("node-a"))
        let result = try await Kubectl.run(["label", "node", "node-a", "team=sre"], kubeconfig: kubeconfig)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.audit.writes.last?.user == "carol")
        #expect(server.audit.writes.last?.userAgent.hasPrefix("kubectl/") == true)
        try await server.shutdown()
    }

    /// Acts as the kubelet for the test: pods that start terminating are finalized at once.
    static func finalizeTerminatingPods(_ store: ClusterStore, until deadline: ContinuousClock.Instant) async {
        while ContinuousClock.now < deadline, !Task.isCancelled {
            for pod in store.listValues(store.pods) where pod[path: ["metadata", "deletionTimestamp"]] != nil {
                let ns = pod[path: ["metadata", "namespace"]]?.stringValue ?? "default"
                let name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
                _ = try? store.finalizeDeletion(store.pods, namespace: ns, name: name)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    static func seedDrainScene(_ store: ClusterStore, minAvailable: Int64) throws {
        try store.create(store.nodes, namespace: nil, object: Fixtures.node("node-1"))
        try store.create(store.nodes, namespace: nil, object: Fixtures.node("node-2"))
        let rs = try store.create(store.resource("replicasets", group: "apps")!, namespace: "default",
                                  object: ["metadata": ["name": "web-rs"], "spec": ["replicas": 2]])
        let owner: JSONValue = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-rs",
                                "uid": rs[path: ["metadata", "uid"]]!, "controller": true, "blockOwnerDeletion": true]
        try store.seedRunningPod("web-1", node: "node-1", owner: owner)
        try store.seedRunningPod("web-2", node: "node-2", owner: owner)
        let ds = try store.create(store.resource("daemonsets", group: "apps")!, namespace: "kube-system",
                                  object: ["metadata": ["name": "agent"], "spec": ["selector": ["matchLabels": ["app": "agent"]],
                                           "template": ["metadata": ["labels": ["app": "agent"]],
                                                        "spec": ["containers": [["name": "a", "image": "agent"]]]]]])
        let dsOwner: JSONValue = ["apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent",
                                  "uid": ds[path: ["metadata", "uid"]]!, "controller": true]
        try store.seedRunningPod("agent-1", namespace: "kube-system", node: "node-1", labels: ["app": "agent"], owner: dsOwner)
        try store.create(store.pdbs, namespace: "default", object: Fixtures.pdb("web", minAvailable: .int(minAvailable)))
    }

    @Test func drainEvictsPodsWhenTheBudgetAllows() async throws {
        try await Self.withKubectlServer { server, kubeconfig in
            let store = server.store
            try Self.seedDrainScene(store, minAvailable: 1)
            let deadline = ContinuousClock.now + .seconds(60)
            let result = try await withThrowingTaskGroup(of: ProgramResult?.self) { group in
                group.addTask {
                    await Self.finalizeTerminatingPods(store, until: deadline)
                    return nil
                }
                group.addTask {
                    try await Kubectl.run(["drain", "node-1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=40s"],
                                          kubeconfig: kubeconfig)
                }
                var result: ProgramResult?
                for try await value in group where value != nil {
                    result = value
                    group.cancelAll()
                }
                return try #require(result)
            }
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("node/node-1 drained"))
            #expect((try? store.get(store.pods, namespace: "default", name: "web-1")) == nil)
            #expect((try? store.get(store.pods, namespace: "kube-system", name: "agent-1")) != nil, "DaemonSet pods stay")
            #expect(try store.get(store.nodes, namespace: nil, name: "node-1")[path: ["spec", "unschedulable"]] == true)
            #expect(server.audit.writes.contains { $0.subresource == "eviction" && $0.code == 201 && $0.name == "web-1" })
        }
    }

    @Test func drainKeepsRetryingWhileTheBudgetRefuses() async throws {
        try await Self.withKubectlServer { server, kubeconfig in
            let store = server.store
            try Self.seedDrainScene(store, minAvailable: 2)
            let result = try await Kubectl.run(["drain", "node-1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=7s"],
                                               kubeconfig: kubeconfig, timeout: .seconds(40))
            #expect(result.status != 0)
            #expect(result.stderr.contains("Cannot evict pod as it would violate the pod's disruption budget."))
            let refusals = server.audit.writes.filter { $0.subresource == "eviction" && $0.code == 429 }
            #expect(refusals.count >= 2, "kubectl retries after a 429")
            #expect((try? store.get(store.pods, namespace: "default", name: "web-1")) != nil)
        }
    }
}
