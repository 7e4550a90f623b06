import Foundation
import Testing
import Yams

/// The Helm chart, through Helm's own engine (`scripts/helm`: Helm's Go SDK from PyPI, which
/// scripts/test installs): it lints, renders every component hardened and least-privileged, and
/// its values schema turns bad values away before anything is rendered.
@Suite("Helm chart", .enabled(if: Tools.helmAvailable, "Python with helm_python (pip install helm-python-sdk pyyaml; scripts/test does) is needed"))
struct ChartTests {
    static let chart = "charts/mend"

    /// Everything on: the three programs, ServiceMonitors, the PrometheusRule, the dashboard, IRSA.
    static let allOn = [
        "autoscaler.enabled=true", "autoscaler.aws.roleArn=arn:aws:iam::111122223333:role/mend-autoscaler",
        "serviceMonitor.enabled=true", "prometheusRule.enabled=true", "grafanaDashboard.enabled=true",
    ]

    static func render(_ settings: [String] = allOn, release: String = "mend", namespace: String = "mend") throws -> [KubeObject] {
        let result = try Tools.helm(["template", release, chart, "-n", namespace] + settings.flatMap { ["--set", $0] })
        guard result.status == 0 else { throw Command.Failure(description: "helm template failed: \(result.stderr)") }
        return try KubeObject.parseAll(result.stdout)
    }

    @Test func theChartLintsWithoutWarnings() throws {
        let result = try Tools.helm(["lint", Self.chart, "--strict"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func eachComponentCanBeTurnedOnAndOffAlone() throws {
        let kinds = { (objects: [KubeObject]) in Set(objects.map { "\($0.kind)/\($0.name)" }) }
        let detectorOnly = kinds(try Self.render(["drainer.enabled=false"]))
        #expect(detectorOnly.contains("DaemonSet/mend-detector"))
        #expect(!detectorOnly.contains { $0.hasPrefix("Deployment/") })
        let autoscalerOnly = kinds(try Self.render(["detector.enabled=false", "drainer.enabled=false", "autoscaler.enabled=true"]))
        #expect(autoscalerOnly.contains("Deployment/mend-autoscaler"))
        #expect(!autoscalerOnly.contains("DaemonSet/mend-detector") && !autoscalerOnly.contains("Deployment/mend-drainer"))
        #expect(!autoscalerOnly.contains { $0.hasPrefix("ServiceMonitor/") || $0.hasPrefix("PrometheusRule/") })
        // The default: detector and drainer, no autoscaler (turn the cluster-autoscaler off first).
        let defaults = kinds(try Self.render([]))
        #expect(defaults.contains("Deployment/mend-drainer") && !defaults.contains("Deployment/mend-autoscaler"))
        // Another release name keeps objects apart.
        #expect(kinds(try Self.render([], release: "blue")).contains("DaemonSet/blue-mend-detector"))
    }

    @Test func everyContainerIsHardenedAndHasMemoryLimits() throws {
        let workloads = try Self.render().filter { ["Deployment", "DaemonSet"].contains($0.kind) }
        #expect(workloads.count == 3)
        for workload in workloads {
            let pod = try #require(workload.podSpec)
            #expect(KubeObject.dig(pod, ["securityContext", "seccompProfile", "type"]) as? String == "RuntimeDefault", "\(workload.name)")
            #expect(pod["hostNetwork"] == nil && pod["hostPID"] == nil, "\(workload.name) shares a host namespace")
            for container in workload.containers {
                let security = container["securityContext"] as? [String: Any] ?? [:]
                #expect(security["allowPrivilegeEscalation"] as? Bool == false, "\(workload.name)")
                #expect(security["readOnlyRootFilesystem"] as? Bool == true, "\(workload.name)")
                #expect(security["privileged"] as? Bool != true, "\(workload.name)")
                #expect(KubeObject.dig(security, ["capabilities", "drop"]) as? [String] == ["ALL"], "\(workload.name)")
                let added = KubeObject.dig(security, ["capabilities", "add"]) as? [String] ?? []
                #expect(KubeObject.dig(container, ["resources", "limits", "memory"]) != nil, "\(workload.name) has no memory limit")
                #expect(KubeObject.dig(container, ["resources", "requests", "memory"]) != nil, "\(workload.name)")
                if workload.kind == "DaemonSet" {
                    // The detector: root for /dev/kmsg and the journal, but only CAP_SYSLOG, and host paths read-only.
                    #expect(added == ["SYSLOG"])
                    let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
                    // The one writable mount is its own state directory (journal cursors).
                    let writable = mounts.filter { $0["readOnly"] as? Bool != true }.compactMap { $0["mountPath"] as? String }
                    #expect(!mounts.isEmpty && writable == ["/var/lib/mend-detector"], "writable mounts: \(writable)")
                } else {
                    #expect(added.isEmpty, "\(workload.name) adds capabilities")
                    #expect(KubeObject.dig(pod, ["securityContext", "runAsNonRoot"]) as? Bool == true, "\(workload.name)")
                }
            }
        }
    }

    @Test func theDeploymentsHaveDisruptionBudgetsAntiAffinityAndLeases() throws {
        let objects = try Self.render()
        for name in ["mend-drainer", "mend-autoscaler"] {
            let deployment = try #require(objects.first { $0.kind == "Deployment" && $0.name == name })
            #expect((deployment["spec", "replicas"] as? Int ?? 0) >= 2)
            #expect(deployment["spec", "template", "spec", "affinity", "podAntiAffinity"] != nil, "\(name) has no anti-affinity")
            let budget = try #require(objects.first { $0.kind == "PodDisruptionBudget" && $0.name == name })
            #expect(try canonical(budget["spec", "selector", "matchLabels"] ?? [:])
                == (try canonical(deployment["spec", "selector", "matchLabels"] ?? [:])))
            // The Lease the program uses is the one its Role may update.
            let args = deployment.containers.first?["args"] as? [String] ?? []
            #expect(args.contains("--lease-name=\(name)") || args.contains("--set=leaderElection.leaseName=\(name)"), "\(args)")
            let role = try #require(objects.first { $0.kind == "Role" && $0.name == name })
            let rules = role["rules"] as? [[String: Any]] ?? []
            #expect(rules.contains { ($0["resources"] as? [String]) == ["leases"] && ($0["resourceNames"] as? [String]) == [name] })
        }
    }

    @Test func theAutoscalerServiceAccountCarriesTheIRSARole() throws {
        let objects = try Self.render()
        let account = try #require(objects.first { $0.kind == "ServiceAccount" && $0.name == "mend-autoscaler" })
        #expect(account.annotations["eks.amazonaws.com/role-arn"] == "arn:aws:iam::111122223333:role/mend-autoscaler")
        let without = try Self.render(["autoscaler.enabled=true"])
        let plain = try #require(without.first { $0.kind == "ServiceAccount" && $0.name == "mend-autoscaler" })
        #expect(plain.annotations["eks.amazonaws.com/role-arn"] == nil, "no empty role annotation without a role")
    }

    @Test func theChartGrantsTheSameRBACAsTheManifests() throws {
        let chart = try Self.render()
        let manifests = try KubeObject.parseAll(try ManifestTests.kustomize("manifests/base"))
        for name in ["mend-detector", "mend-drainer", "mend-autoscaler"] {
            let chartRole = try #require(chart.first { $0.kind == "ClusterRole" && $0.name == name })
            let manifestRole = try #require(manifests.first { $0.kind == "ClusterRole" && $0.name == name })
            #expect(try canonical(chartRole["rules"] ?? []) == (try canonical(manifestRole["rules"] ?? [])), "ClusterRole \(name)")
        }
    }

    @Test func thePrometheusRuleIsTheAlertsFileWithTheConfiguredRunbookURL() throws {
        let rule = try #require(try Self.render(Self.allOn + ["prometheusRule.runbookBaseURL=https://wiki.example.com/mend/"])
            .first { $0.kind == "PrometheusRule" })
        let expected = try Repo.text(AlertTests.chartAlerts).replacingOccurrences(of: "RUNBOOK_BASE_URL", with: "https://wiki.example.com/mend")
        let groups = (try Yams.load(yaml: expected) as? [String: Any])?["groups"]
        let same = try canonical(rule["spec", "groups"] ?? []) == (try canonical(groups ?? []))
        #expect(same, "the PrometheusRule's groups are not files/alerts.yaml with the configured runbook URL")
    }

    @Test func theShippedConfigurationsPassThePrograms() throws {
        let objects = try Self.render()
        let drainerConfig = try #require(objects.first { $0.kind == "ConfigMap" && $0.name == "mend-drainer-config" })
        let policy = try #require(drainerConfig["data", "drainer.yaml"] as? String)
        try Validation.expectDrainerAccepts(try temporaryFile(named: "drainer.yaml", contents: policy))

        let detectorConfig = try #require(objects.first { $0.kind == "ConfigMap" && $0.name == "mend-detector-config" })
        let files = try #require(detectorConfig["data"] as? [String: String])
        #expect(Set(files.keys) == ["kernel-monitor.json", "containerd-monitor.json", "systemd-monitor.json"])
        for (name, text) in files {
            #expect(text.trimmingCharacters(in: .whitespacesAndNewlines)
                == (try Repo.text("config/\(name)")).trimmingCharacters(in: .whitespacesAndNewlines),
                "charts/mend/files/detector/\(name) differs from config/\(name)")
        }
        try Validation.expectDetectorAccepts(try files.map { try temporaryFile(named: $0.key, contents: $0.value) })
    }

    @Test(arguments: [
        ("drainer.replicas=0", "/drainer/replicas"),
        ("drainr.enabled=true", "drainr"),
        ("detector.enabled=yes", "/detector/enabled"),
        ("autoscaler.aws.roleArn=mend-autoscaler", "/autoscaler/aws/roleArn"),
        ("drainer.config.conditions={KernelDeadlock=Maybe}", "/drainer/config/conditions/0"),
        ("image.pullPolicy=Sometimes", "/image/pullPolicy"),
        ("detector.resources.limits.memory=lots", "/detector/resources/limits/memory"),
    ])
    func badValuesAreRejectedBeforeAnythingIsRendered(setting: String, field: String) throws {
        let result = try Tools.helm(["template", "mend", Self.chart, "--set", setting])
        #expect(result.status != 0, "\(setting) was accepted")
        #expect(result.stdout.isEmpty, "something was rendered for \(setting)")
        #expect(result.stderr.contains(field), "the error does not name \(field): \(result.stderr)")
    }
}
