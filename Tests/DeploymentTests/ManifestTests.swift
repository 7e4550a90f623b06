import Foundation
import Testing
import Yams

/// The kustomize base and the example overlay, rendered by the real `kubectl kustomize`.
@Suite("kustomize manifests", .enabled(if: Tools.kubectl != nil, "kubectl not found (set MEND_KUBECTL or install /usr/bin/kubectl)"))
struct ManifestTests {
    static func kustomize(_ folder: String) throws -> String {
        let result = try Tools.kustomize(folder)
        guard result.status == 0 else { throw Command.Failure(description: "kubectl kustomize \(folder) failed: \(result.stderr)") }
        return result.stdout
    }

    static let clusterScoped: Set = ["Namespace", "ClusterRole", "ClusterRoleBinding"]

    /// What both renderings must hold, in `namespace`.
    static func expectComplete(_ objects: [KubeObject], namespace: String, image: String) throws {
        let names = Set(objects.map { "\($0.kind)/\($0.name)" })
        for expected in [
            "Namespace/\(namespace)", "DaemonSet/mend-detector", "Deployment/mend-drainer", "Deployment/mend-autoscaler",
            "PodDisruptionBudget/mend-drainer", "PodDisruptionBudget/mend-autoscaler", "PrometheusRule/mend",
            "ServiceMonitor/mend-detector", "ServiceMonitor/mend-drainer", "ServiceMonitor/mend-autoscaler",
            "ClusterRole/mend-detector", "ClusterRole/mend-drainer", "ClusterRole/mend-autoscaler",
        ] {
            #expect(names.contains(expected), "\(expected) is missing")
        }
        for object in objects where !clusterScoped.contains(object.kind) {
            #expect(object.namespace == namespace, "\(object.kind)/\(object.name) is in \(object.namespace ?? "no namespace")")
        }
        for binding in objects where binding.kind.hasSuffix("RoleBinding") {
            for subject in binding["subjects"] as? [[String: Any]] ?? [] {
                #expect(subject["namespace"] as? String == namespace, "\(binding.kind)/\(binding.name) binds a ServiceAccount in another namespace")
            }
        }
        let configMaps = Set(objects.filter { $0.kind == "ConfigMap" }.map(\.name))
        for workload in objects where ["Deployment", "DaemonSet"].contains(workload.kind) {
            let container = try #require(workload.containers.first)
            #expect(container["image"] as? String == image, "\(workload.name)")
            #expect(container["command"] as? [String] == ["/usr/local/bin/\(workload.name)"], "\(workload.name) runs the wrong program")
            // Every ConfigMap a pod mounts is rendered (the generator's hashed names are followed).
            for volume in workload.podSpec?["volumes"] as? [[String: Any]] ?? [] {
                if let name = KubeObject.dig(volume, ["configMap", "name"]) as? String {
                    #expect(configMaps.contains(name), "\(workload.name) mounts ConfigMap \(name), which is not rendered")
                }
            }
            let account = workload.podSpec?["serviceAccountName"] as? String
            #expect(objects.contains { $0.kind == "ServiceAccount" && $0.name == account }, "\(workload.name)'s ServiceAccount")
        }
    }

    /// The file a workload's ConfigMap holds under `key`.
    static func mountedFile(_ objects: [KubeObject], workload: String, key: String) throws -> String {
        let deployment = try #require(objects.first { $0.name == workload && ["Deployment", "DaemonSet"].contains($0.kind) })
        let volumes = deployment.podSpec?["volumes"] as? [[String: Any]] ?? []
        let name = try #require(volumes.compactMap { KubeObject.dig($0, ["configMap", "name"]) as? String }.first)
        let configMap = try #require(objects.first { $0.kind == "ConfigMap" && $0.name == name })
        return try #require(configMap["data", key] as? String)
    }

    @Test func theBaseRendersAllThreeProgramsWithMonitoring() throws {
        let objects = try KubeObject.parseAll(try Self.kustomize("manifests/base"))
        try Self.expectComplete(objects, namespace: "mend", image: "ghcr.io/mend/mend:0.1.0")
        #expect(try Self.mountedFile(objects, workload: "mend-drainer", key: "drainer.yaml")
            == (try Repo.text("manifests/base/drainer/config/drainer.yaml")))
        // The base ships no IAM role: that is the overlay's.
        let account = try #require(objects.first { $0.kind == "ServiceAccount" && $0.name == "mend-autoscaler" })
        #expect(account.annotations["eks.amazonaws.com/role-arn"] == nil)
    }

    @Test func theExampleOverlayMovesNamespaceImageRoleAndPolicies() throws {
        let objects = try KubeObject.parseAll(try Self.kustomize("manifests/overlays/example"))
        try Self.expectComplete(objects, namespace: "platform-mend", image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/mend:0.1.0")
        let account = try #require(objects.first { $0.kind == "ServiceAccount" && $0.name == "mend-autoscaler" })
        #expect(account.annotations["eks.amazonaws.com/role-arn"] == "arn:aws:iam::111122223333:role/mend-autoscaler")
        #expect(try Self.mountedFile(objects, workload: "mend-drainer", key: "drainer.yaml")
            == (try Repo.text("manifests/overlays/example/drainer.yaml")))
        #expect(try Self.mountedFile(objects, workload: "mend-autoscaler", key: "autoscaler.yaml")
            == (try Repo.text("manifests/overlays/example/autoscaler.yaml")))
        let drainer = try #require(objects.first { $0.kind == "Deployment" && $0.name == "mend-drainer" })
        #expect(drainer["spec", "replicas"] as? Int == 3)
    }

    @Test func theManifestsDrainerPoliciesPassValidation() throws {
        for file in ["manifests/base/drainer/config/drainer.yaml", "manifests/overlays/example/drainer.yaml", "config/drainer.example.yaml"] {
            try Validation.expectDrainerAccepts(Repo.url(file).path)
        }
    }

    @Test func theManifestsDetectorRulesPassCheckConfigAndMatchConfig() throws {
        let names = ["kernel-monitor.json", "containerd-monitor.json", "systemd-monitor.json"]
        for name in names {
            #expect(try Repo.text("manifests/base/detector/config/\(name)") == (try Repo.text("config/\(name)")))
            #expect(try Repo.text("charts/mend/files/detector/\(name)") == (try Repo.text("config/\(name)")))
        }
        try Validation.expectDetectorAccepts(names.map { Repo.url("manifests/base/detector/config/\($0)").path })
    }
}

/// The programs' own validation of the configuration files Mend ships.
enum Validation {
    static func drainer() throws -> String {
        try #require(BuiltProgram.path("mend-drainer"), "build mend-drainer first (swift build --build-tests)")
    }

    static func detector() throws -> String {
        try #require(BuiltProgram.path("mend-detector"), "build mend-detector first (swift build --build-tests)")
    }

    static func expectDrainerAccepts(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try Command.run(try drainer(), ["validate", "--config", path], timeout: .seconds(60))
        #expect(result.status == 0, "mend-drainer validate --config \(path): \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.contains("Policy is valid."), sourceLocation: sourceLocation)
    }

    static func expectDetectorAccepts(_ paths: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try Command.run(try detector(), ["check-config"] + paths, timeout: .seconds(60))
        #expect(result.status == 0, "mend-detector check-config: \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
    }
}

/// The checks above can fail: a bad policy or rule file is refused by the same commands.
@Suite("configuration validation refuses bad files")
struct ValidationControlTests {
    @Test func aDrainerPolicyWithABadRuleIsRefusedNamingTheField() throws {
        let path = try temporaryFile(named: "drainer.yaml", contents: "conditions:\n  - KernelDeadlock=Maybe,10m\n")
        let result = try Command.run(try Validation.drainer(), ["validate", "--config", path], timeout: .seconds(60))
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("conditions"), "\(result.stdout)\(result.stderr)")
    }

    @Test func aMonitorFileWithAnUnknownPluginIsRefused() throws {
        let path = try temporaryFile(named: "bad-monitor.json", contents: #"{"plugin": "dmesg", "source": "x", "conditions": [], "rules": []}"#)
        let result = try Command.run(try Validation.detector(), ["check-config", path], timeout: .seconds(60))
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("plugin"), "\(result.stdout)\(result.stderr)")
    }
}

/// Autoscaler configuration files, checked by `mend-autoscaler validate` once that program exists.
@Suite("autoscaler configuration", .enabled(if: BuiltProgram.path("mend-autoscaler") != nil, "mend-autoscaler is not built yet"))
struct AutoscalerConfigTests {
    @Test func theShippedAutoscalerConfigurationsPassValidation() throws {
        let program = try #require(BuiltProgram.path("mend-autoscaler"))
        var files = ["manifests/base/autoscaler/config/autoscaler.yaml", "manifests/overlays/example/autoscaler.yaml"].map { Repo.url($0).path }
        if Tools.helmAvailable {
            let objects = try ChartTests.render()
            let configMap = try #require(objects.first { $0.kind == "ConfigMap" && $0.name == "mend-autoscaler-config" })
            files.append(try temporaryFile(named: "autoscaler.yaml", contents: try #require(configMap["data", "autoscaler.yaml"] as? String)))
        }
        for file in files {
            let result = try Command.run(program, ["validate", "--config", file], timeout: .seconds(60))
            #expect(result.status == 0, "mend-autoscaler validate --config \(file): \(result.stdout)\(result.stderr)")
        }
    }
}
