import Foundation
import Testing

@testable import KubeModels

@Suite("Slim pod projection")
struct PodSummaryTests {
    @Test func decodedSummaryAgreesWithTheFullModel() throws {
        let data = Data(Fixtures.pod.utf8)
        let slim = try JSONDecoder().decode(PodSummary.self, from: data)
        let full = try JSONDecoder().decode(Pod.self, from: data)
        #expect(slim == PodSummary(full))
        #expect(slim.key == "shop/web-7d9f8b6c4-x2x9k")
        #expect(slim.controllerKind == "ReplicaSet" && slim.controllerName == "web-7d9f8b6c4")
        #expect(slim.isReady && slim.phase == .running && !slim.isTerminal)
        #expect(slim.priority == 1000)
        #expect(slim.requests.milliCPU == 510)
        #expect(slim.requests.memory == 384 * 1_048_576)
        #expect(slim.tolerations.count == 2)
        #expect(slim.nodeSelector == ["kubernetes.io/os": "linux"])
        #expect(slim.requiredNodeAffinity?.nodeSelectorTerms.count == 1)
        #expect(slim.requiredAntiAffinity.first?.topologyKey == "kubernetes.io/hostname")
        #expect(!slim.hasRequiredPodAffinity)
        #expect(slim.hostPorts == [HostPort(port: 8080, protocol: "TCP", hostIP: "0.0.0.0")])
        #expect(slim.safeToEvict == false)
        #expect(!slim.isMirrorPod)
        #expect(slim.usesLocalStorage)
    }

    @Test func mirrorDaemonSetAndMinimalPodsDecode() throws {
        let json = Fixtures.mirrorDaemonPod
        let data = Data(json.utf8)
        let slim = try JSONDecoder().decode(PodSummary.self, from: data)
        #expect(slim == PodSummary(try JSONDecoder().decode(Pod.self, from: data)))
        #expect(slim.isMirrorPod && slim.isDaemonSetPod && slim.isTerminal && slim.isBeingDeleted)
        #expect(slim.requests.milliCPU == 1000)
        #expect(slim.safeToEvict == nil)

        let bare = try JSONDecoder().decode(PodSummary.self, from: Data(#"{"metadata":{"name":"x"}}"#.utf8))
        #expect(bare.name == "x" && bare.requests.isZero && !bare.isReady)
    }

    @Test func unschedulablePendingPodsAreRecognised() throws {
        let json = """
            {"metadata":{"name":"big","namespace":"batch","uid":"u","creationTimestamp":"2024-05-02T08:00:00Z"},
             "spec":{"schedulerName":"default-scheduler","containers":[{"name":"c","resources":{"requests":{"cpu":"64"}}}]},
             "status":{"phase":"Pending","nominatedNodeName":"n9","conditions":[{"type":"PodScheduled","status":"False",
               "reason":"Unschedulable","message":"0/3 nodes are available: 3 Insufficient cpu.","lastProbeTime":null,
               "lastTransitionTime":"2024-05-02T08:00:01Z"}]}}
            """
        let data = Data(json.utf8)
        let full = try JSONDecoder().decode(Pod.self, from: data)
        let slim = try JSONDecoder().decode(PodSummary.self, from: data)
        #expect(full.isUnschedulable && slim.isUnschedulable)
        #expect(slim == PodSummary(full))
        #expect(slim.schedulerName == "default-scheduler" && slim.nominatedNodeName == "n9")
        #expect(slim.creationTimestamp?.description == "2024-05-02T08:00:00Z")
        #expect(slim.requests.milliCPU == 64_000)

        let gated = json.replacingOccurrences(of: #""reason":"Unschedulable""#, with: #""reason":"SchedulingGated""#)
        #expect(!(try JSONDecoder().decode(PodSummary.self, from: Data(gated.utf8))).isUnschedulable)
        #expect(!(try JSONDecoder().decode(Pod.self, from: Data(gated.utf8))).isUnschedulable)
    }

    @Test func listsOfSummariesDecode() throws {
        let list =
            "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"7\"},\"items\":[\(Fixtures.pod),\(Fixtures.pod)]}"
        let decoded = try JSONDecoder().decode(ObjectList<PodSummary>.self, from: Data(list.utf8))
        #expect(decoded.items.count == 2)
        #expect(decoded.metadata.resourceVersion == "7")
    }

    @Test func resourceVectorConvertsInSchedulerUnits() throws {
        let vector = ResourceVector([
            "cpu": "1.5", "memory": "1Gi", "ephemeral-storage": "10Gi", "pods": "110",
            "nvidia.com/gpu": "2", "hugepages-2Mi": "0", "storage": "1Gi",
        ])
        #expect(vector.milliCPU == 1500)
        #expect(vector.memory == 1 << 30)
        #expect(vector.ephemeralStorage == 10 << 30)
        #expect(vector.pods == 110)
        #expect(vector[scalar: "nvidia.com/gpu"] == 2)
        #expect(vector.scalars.count == 1)
        var sum = vector + vector
        #expect(sum.milliCPU == 3000 && sum[scalar: "nvidia.com/gpu"] == 4)
        sum -= vector
        #expect(sum == vector)
        #expect(ResourceVector(vector.quantities) == vector)
    }
}
