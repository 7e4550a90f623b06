#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Autoscaler
import KubeModels

/// Resident memory of the autoscaler's view of a big cluster: nodes and pods decoded from JSON
/// pages shaped like an API server's list answers (500 items a page, as informers list), held in
/// informer-style caches keyed `namespace/name`, then a snapshot and one full decision.
enum MemoryBenchmark {
    static func run(nodes nodeCount: Int, pods podCount: Int, groups groupCount: Int) {
        let base = resident()
        let decoder = JSONDecoder()
        let start = ContinuousClock.now
        let startCPU = cpuTime()

        var nodeCache: [String: Node] = [:]
        var groupInstances = Array(repeating: [GroupInstance](), count: groupCount)
        for page in stride(from: 0, to: nodeCount, by: 500) {
            let items = (page..<min(page + 500, nodeCount)).map { nodeJSON($0, groups: groupCount) }
            let list = try! decoder.decode(ObjectList<Node>.self, from: Data(listJSON(kind: "NodeList", items).utf8))
            for node in list.items { nodeCache[node.metadata.name ?? ""] = node }
            for i in page..<min(page + 500, nodeCount) {
                groupInstances[i % groupCount].append(GroupInstance(id: instanceID(i), zone: zone(i)))
            }
        }
        let afterNodes = resident()

        // Per node: two DaemonSet pods; the rest of the pods run evenly; `pending` wait unscheduled.
        let pending = podCount / 30
        let daemonSets = 2 * nodeCount
        let running = podCount - pending - daemonSets
        var podCache: [String: PodSummary] = [:]
        for page in stride(from: 0, to: podCount, by: 500) {
            let items = (page..<min(page + 500, podCount)).map { i -> String in
                if i < daemonSets { return podJSON(i, kind: .daemonSet(node: i / 2)) }
                if i < daemonSets + running { return podJSON(i, kind: .running(node: (i - daemonSets) % nodeCount)) }
                return podJSON(i, kind: .pending)
            }
            let list = try! decoder.decode(ObjectList<PodSummary>.self, from: Data(listJSON(kind: "PodList", items).utf8))
            for pod in list.items { podCache[pod.key] = pod }
        }
        let afterPods = resident()
        let decoded = ContinuousClock.now - start
        let decodedCPU = cpuTime() - startCPU
        print(
            "memory: decoded \(nodeCache.count) nodes and \(podCache.count) pods (\(running) running, \(daemonSets) DaemonSet, \(pending) pending) in \(String(format: "%.1f", decodedCPU.seconds)) s CPU, \(String(format: "%.1f", decoded.seconds)) s wall"
        )
        print(
            "memory: resident \(mib(base.rss)) at start; +\(mib(afterNodes.rss - base.rss)) for nodes (\((afterNodes.rss - base.rss) / nodeCount) bytes/node); +\(mib(afterPods.rss - afterNodes.rss)) for pods (\((afterPods.rss - afterNodes.rss) / podCount) bytes/pod); \(mib(afterPods.rss)) in all"
        )

        let groups = (0..<groupCount).map { g in
            NodeGroup(
                id: "workers-\(String(format: "%02d", g))", minSize: 1, maxSize: 1_000,
                desiredCapacity: groupInstances[g].count, instances: groupInstances[g])
        }
        let snapshot = ClusterSnapshot(nodes: Array(nodeCache.values), pods: Array(podCache.values), groups: groups)
        let afterSnapshot = resident()
        let decisionStart = ContinuousClock.now
        let decisionCPU = cpuTime()
        let up = ScaleUpPlanner().plan(snapshot, now: Date(timeIntervalSince1970: 1_800_000_000))
        let down = ScaleDownPlanner().plan(snapshot, now: Date(timeIntervalSince1970: 1_800_000_000))
        let decision = ContinuousClock.now - decisionStart
        let decisionCPUTime = cpuTime() - decisionCPU
        let afterDecision = resident()
        print(
            "memory: +\(mib(afterSnapshot.rss - afterPods.rss)) for the snapshot; decision (scale-up + scale-down) in \(milliseconds(decisionCPUTime)) CPU, \(milliseconds(decision)) wall: \(up.increases.count) increase(s) by \(up.increases.reduce(0) { $0 + $1.to - $1.from }) node(s), \(down.removals.count) removal(s)"
        )
        print(
            "memory: resident \(mib(afterDecision.rss)) after the decision; peak resident \(mib(afterDecision.peak)) (includes the JSON pages while decoding)"
        )
        withExtendedLifetime((nodeCache, podCache, snapshot)) {}
    }

    /// Resident and peak resident bytes of this process (Linux `/proc/self/status`; zero elsewhere).
    static func resident() -> (rss: Int, peak: Int) {
        // `/proc` files report size 0, so read them as a stream.
        guard let file = fopen("/proc/self/status", "r") else { return (0, 0) }
        defer { fclose(file) }
        var rss = 0
        var peak = 0
        var buffer = [CChar](repeating: 0, count: 256)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            guard fields.count >= 2, let kib = Int(fields[1]) else { continue }
            if fields[0] == "VmRSS:" { rss = kib * 1024 }
            if fields[0] == "VmHWM:" { peak = kib * 1024 }
        }
        return (rss, peak)
    }

    static func mib(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }

    static func listJSON(kind: String, _ items: [String]) -> String {
        #"{"apiVersion":"v1","kind":"\#(kind)","metadata":{"resourceVersion":"999999"},"items":["#
            + items.joined(separator: ",") + "]}"
    }

    static func nodeName(_ i: Int) -> String { "ip-10-\(i / 62_500)-\(i / 250 % 250)-\(i % 250).eu-west-1.compute.internal" }
    static func instanceID(_ i: Int) -> String { "i-0" + String(format: "%016x", i &* 2_654_435_761) }
    static func zone(_ i: Int) -> String { "eu-west-1" + ["a", "b", "c"][i % 3] }

    static func uuid(_ i: Int) -> String {
        let a = UInt64(truncatingIfNeeded: i) &* 0x9E37_79B9_7F4A_7C15
        let b = a ^ 0xD1B5_4A32_D192_ED03
        let hex = String(format: "%016llx%016llx", a, b)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-"
            + String(c[20..<32])
    }

    /// A Node as an API server returns it (without managedFields): labels, annotations, capacity,
    /// conditions, addresses, node info and a short image list.
    static func nodeJSON(_ i: Int, groups: Int) -> String {
        let name = nodeName(i)
        let images = (0..<10).map { j in
            #"{"names":["registry.example.com/image-\#(j)@sha256:\#(uuid(j).replacingOccurrences(of: "-", with: ""))","registry.example.com/image-\#(j):v\#(j)"],"sizeBytes":\#(10_000_000 * (j + 1))}"#
        }.joined(separator: ",")
        let conditions = [("MemoryPressure", "False"), ("DiskPressure", "False"), ("PIDPressure", "False"), ("Ready", "True")]
            .map {
                #"{"type":"\#($0.0)","status":"\#($0.1)","lastHeartbeatTime":"2026-11-23T08:00:00Z","lastTransitionTime":"2026-11-01T00:01:00Z","reason":"Kubelet\#($0.0)","message":"kubelet has sufficient resources"}"#
            }.joined(separator: ",")
        return #"""
            {"apiVersion":"v1","kind":"Node","metadata":{"name":"\#(name)","uid":"\#(uuid(i + 9_000_000))","resourceVersion":"\#(500_000 + i)","creationTimestamp":"2026-11-01T00:00:00Z",\#
            "labels":{"kubernetes.io/hostname":"\#(name)","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64","node.kubernetes.io/instance-type":"m6i.4xlarge","topology.kubernetes.io/region":"eu-west-1","topology.kubernetes.io/zone":"\#(zone(i))","eks.amazonaws.com/nodegroup":"workers-\#(i % groups)","eks.amazonaws.com/capacityType":"ON_DEMAND"},\#
            "annotations":{"node.alpha.kubernetes.io/ttl":"0","volumes.kubernetes.io/controller-managed-attach-detach":"true"}},\#
            "spec":{"providerID":"aws:///\#(zone(i))/\#(instanceID(i))"},\#
            "status":{"capacity":{"cpu":"16","memory":"65023428Ki","pods":"110","ephemeral-storage":"104845292Ki"},"allocatable":{"cpu":"15890m","memory":"63998404Ki","pods":"110","ephemeral-storage":"95551679124"},\#
            "conditions":[\#(conditions)],"addresses":[{"type":"InternalIP","address":"10.0.\#(i / 250 % 250).\#(i % 250)"},{"type":"Hostname","address":"\#(name)"}],\#
            "nodeInfo":{"machineID":"\#(uuid(i).replacingOccurrences(of: "-", with: ""))","systemUUID":"\#(uuid(i + 1))","bootID":"\#(uuid(i + 2))","kernelVersion":"6.1.109-118.189.amzn2023.x86_64","osImage":"Amazon Linux 2023.5.20240916","containerRuntimeVersion":"containerd://1.7.22","kubeletVersion":"v1.31.0-eks-a737599","kubeProxyVersion":"v1.31.0-eks-a737599","operatingSystem":"linux","architecture":"amd64"},\#
            "images":[\#(images)]}}
            """#
    }

    enum PodKind {
        case daemonSet(node: Int)
        case running(node: Int)
        case pending
    }

    /// A Pod as an API server returns it (without managedFields): labels, annotations, an owner,
    /// two containers with env, probes, requests and mounts, default tolerations, full status.
    static func podJSON(_ i: Int, kind: PodKind) -> String {
        let app: String
        let namespace: String
        let owner: String
        let ownerName: String
        let nodeName: String?
        switch kind {
        case .daemonSet(let node):
            app = i % 2 == 0 ? "aws-node" : "kube-proxy"
            namespace = "kube-system"
            owner = "DaemonSet"
            ownerName = app
            nodeName = Self.nodeName(node)
        case .running(let node):
            app = "app-\(i % 397)"
            namespace = "team-\(i % 23)"
            owner = "ReplicaSet"
            ownerName = "\(app)-7d9f8c6b5"
            nodeName = Self.nodeName(node)
        case .pending:
            app = "batch-\(i % 41)"
            namespace = "team-\(i % 23)"
            owner = "ReplicaSet"
            ownerName = "\(app)-5c4b7f9d8"
            nodeName = nil
        }
        let hash = String(format: "%08x", UInt32(truncatingIfNeeded: i &* 2_654_435_761))
        let name = "\(ownerName)-\(hash.prefix(5))\(i)"
        func container(_ cname: String, _ image: String, cpu: String, memory: String) -> String {
            let env = (0..<5).map { #"{"name":"SETTING_\#($0)","value":"value-\#($0)-\#(i)"}"# }.joined(separator: ",")
            return #"""
                {"name":"\#(cname)","image":"\#(image)","imagePullPolicy":"IfNotPresent","ports":[{"containerPort":8080,"name":"http","protocol":"TCP"}],"env":[\#(env)],\#
                "resources":{"requests":{"cpu":"\#(cpu)","memory":"\#(memory)"},"limits":{"memory":"\#(memory)"}},\#
                "readinessProbe":{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"periodSeconds":10,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3},\#
                "volumeMounts":[{"name":"config","mountPath":"/etc/app","readOnly":true},{"name":"kube-api-access-\#(hash.prefix(5))","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","readOnly":true}],\#
                "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}
                """#
        }
        func status(_ cname: String, _ image: String) -> String {
            #"{"name":"\#(cname)","ready":true,"restartCount":0,"started":true,"image":"\#(image)","imageID":"docker.io/library/\#(image)@sha256:\#(hash)\#(hash)\#(hash)\#(hash)\#(hash)\#(hash)\#(hash)\#(hash)","containerID":"containerd://\#(hash)\#(hash)\#(hash)\#(hash)\#(hash)\#(hash)\#(hash)\#(hash)","state":{"running":{"startedAt":"2026-11-20T08:00:00Z"}}}"#
        }
        let image = "registry.example.com/\(namespace)/\(app):1.42.\(i % 10)"
        let containers = [
            container("app", image, cpu: "100m", memory: "256Mi"),
            container("sidecar", "envoyproxy/envoy:v1.31.2", cpu: "20m", memory: "64Mi"),
        ].joined(separator: ",")
        let statusJSON: String
        if nodeName != nil {
            let conditions = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map {
                #"{"type":"\#($0)","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-11-20T08:00:05Z"}"#
            }.joined(separator: ",")
            statusJSON = #"""
                {"phase":"Running","qosClass":"Burstable","hostIP":"10.0.\#(i % 200).\#(i % 250)","podIP":"10.1.\#(i % 250).\#(i % 200)","podIPs":[{"ip":"10.1.\#(i % 250).\#(i % 200)"}],"startTime":"2026-11-20T08:00:00Z",\#
                "conditions":[\#(conditions)],"containerStatuses":[\#(status("app", image)),\#(status("sidecar", "envoyproxy/envoy:v1.31.2"))]}
                """#
        } else {
            statusJSON = #"""
                {"phase":"Pending","qosClass":"Burstable","conditions":[{"type":"PodScheduled","status":"False","lastProbeTime":null,"lastTransitionTime":"2026-11-20T08:00:05Z","reason":"Unschedulable","message":"0/5000 nodes are available: 5000 Insufficient cpu."}]}
                """#
        }
        let nodeField = nodeName.map { #""nodeName":"\#($0)","# } ?? ""
        return #"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(name)","generateName":"\#(ownerName)-","namespace":"\#(namespace)","uid":"\#(uuid(i))","resourceVersion":"\#(100_000 + i)","creationTimestamp":"2026-11-20T08:00:00Z",\#
            "labels":{"app":"\#(app)","pod-template-hash":"\#(hash)","tier":"web","team":"payments"},\#
            "annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-19T10:00:00Z","prometheus.io/scrape":"true"},\#
            "ownerReferences":[{"apiVersion":"apps/v1","kind":"\#(owner)","name":"\#(ownerName)","uid":"\#(uuid(i / 3 + 7_000_000))","controller":true,"blockOwnerDeletion":true}]},\#
            "spec":{"containers":[\#(containers)],\#
            "volumes":[{"name":"config","configMap":{"name":"\#(app)-config","defaultMode":420}},{"name":"kube-api-access-\#(hash.prefix(5))","projected":{"defaultMode":420,"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}}]}}],\#
            \#(nodeField)"serviceAccountName":"default","restartPolicy":"Always","dnsPolicy":"ClusterFirst","schedulerName":"default-scheduler","terminationGracePeriodSeconds":30,"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority",\#
            "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},\#
            "status":\#(statusJSON)}
            """#
    }
}
