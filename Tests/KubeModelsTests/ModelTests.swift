import Foundation
import Testing

@testable import KubeModels

/// Decodes `json` as `T`, encodes it again, and checks the two JSON documents are equal.
func roundTrip<T: Codable>(_ json: String, as type: T.Type) throws -> T {
    // `null` members mean "absent" to the API, and the models omit absent members.
    let original = try JSONValue.parse(Data(json.utf8)).removingNulls()
    let decoded = try JSONDecoder().decode(T.self, from: Data(json.utf8))
    let reencoded = try JSONValue(encoding: decoded)
    if reencoded != original {
        let text = (try? String(decoding: reencoded.serialized(), as: UTF8.self)) ?? "?"
        Issue.record("round trip changed \(T.self); re-encoded: \(text)")
    }
    return decoded
}

extension JSONValue {
    func removingNulls() -> JSONValue {
        switch self {
        case .object(let members): .object(members.filter { !$0.value.isNull }.mapValues { $0.removingNulls() })
        case .array(let items): .array(items.map { $0.removingNulls() })
        default: self
        }
    }
}

@Suite("Typed models")
struct ModelTests {
    @Test func nodeDecodesAndRoundTrips() throws {
        let node = try roundTrip(Fixtures.node, as: Node.self)
        #expect(node.name == "ip-10-0-1-23.ec2.internal")
        #expect(node.isReady)
        #expect(node.isUnschedulable)
        #expect(node.condition("KernelDeadlock")?.reason == "DockerHung")
        #expect(node.condition(.diskPressure) == nil)
        #expect(node.status.allocatable?["memory"] == (try Quantity(parsing: "7220184Ki")))
        #expect(node.spec.taints?[1].description == "dedicated=batch:NoExecute")
        #expect(node.status.daemonEndpoints?.kubeletEndpoint?.port == 10250)
    }

    @Test func podDecodesRoundTripsAndKeepsUnknownVolumeSources() throws {
        let pod = try roundTrip(Fixtures.pod, as: Pod.self)
        #expect(pod.key == "shop/web-7d9f8b6c4-x2x9k")
        #expect(pod.isReady)
        #expect(!pod.isTerminal)
        #expect(pod.controllerReference?.name == "web-7d9f8b6c4")
        #expect(!pod.isDaemonSetPod)
        #expect(!pod.isMirrorPod)
        #expect(pod.usesLocalStorage)
        #expect(pod.safeToEvict == false)
        #expect(pod.spec.volumes?[3].otherSources["csi"]?["driver"] == "secrets-store.csi.k8s.io")
        #expect(pod.hostPorts == [HostPort(port: 8080)])
        #expect(pod.status.containerStatuses?.first?.restartCount == 2)
    }

    @Test func effectiveRequestsFollowTheScheduler() throws {
        let pod = try JSONDecoder().decode(Pod.self, from: Data(Fixtures.pod.utf8))
        let requests = pod.effectiveRequests
        // cpu: max(250m + 100m sidecar, 500m init) + 10m overhead = 510m
        #expect(requests["cpu"] == Quantity(milli: 510))
        // memory: max(256Mi + 128Mi, 64Mi) = 384Mi
        #expect(requests["memory"] == (try Quantity(parsing: "384Mi")))
    }

    @Test func sidecarsStartedBeforeAnInitContainerAddToItsPeak() throws {
        let spec = PodSpec(
            containers: [Container(name: "app", resources: .init(requests: ["cpu": "100m"]))],
            initContainers: [
                Container(name: "sidecar", resources: .init(requests: ["cpu": "200m"]), restartPolicy: "Always"),
                Container(name: "init", resources: .init(requests: ["cpu": "1"])),
            ])
        let pod = Pod(metadata: ObjectMeta(name: "p"), spec: spec)
        // steady: 100m + 200m = 300m; init peak: 200m + 1 = 1200m
        #expect(pod.effectiveRequests["cpu"] == Quantity(milli: 1200))
    }

    @Test func limitsStandInForMissingRequests() {
        let container = Container(
            name: "c", resources: .init(requests: ["cpu": "100m"], limits: ["cpu": "1", "memory": "1Gi"]))
        #expect(PodResources.requests(of: container) == ["cpu": "100m", "memory": "1Gi"])
    }

    @Test func pdbDecodesRoundTripsAndSelects() throws {
        let pdb = try roundTrip(Fixtures.pdb, as: PodDisruptionBudget.self)
        #expect(pdb.spec.minAvailable == .string("50%"))
        #expect(pdb.status.disruptionsAllowed == 1)
        #expect(pdb.status.disruptedPods?["web-7d9f8b6c4-aaaaa"] == (try KubeTime(parsing: "2024-05-02T08:11:00Z")))
        let pod = try JSONDecoder().decode(Pod.self, from: Data(Fixtures.pod.utf8))
        #expect(pdb.selects(pod))
        #expect(!pdb.selects(namespace: "other", labels: ["app": "web"]))
        var noSelector = pdb
        noSelector.spec.selector = nil
        #expect(!noSelector.selects(pod))
        var emptySelector = pdb
        emptySelector.spec.selector = LabelSelector()
        #expect(emptySelector.selects(pod))
    }

    @Test func eventsAndLeaseRoundTrip() throws {
        let event = try roundTrip(Fixtures.coreEvent, as: CoreV1Event.self)
        #expect(event.involvedObject.kind == "Node")
        #expect(event.count == 3)
        let newEvent = try roundTrip(Fixtures.eventsV1Event, as: EventsV1Event.self)
        #expect(newEvent.series?.lastObservedTime.description == "2024-05-02T08:12:00.000500Z")
        let lease = try roundTrip(Fixtures.lease, as: Lease.self)
        #expect(lease.spec.holderIdentity == "mend-drainer-5f7c9-abcde")
        #expect(lease.spec.renewTime?.microsecondsSince1970 == 1_714_637_550_654_321)
        let ds = try roundTrip(Fixtures.daemonSet, as: DaemonSet.self)
        #expect(ds.spec.template.spec.tolerations?.first?.operator == .exists)
    }

    @Test func typeMetaIsWrittenEvenWhenDecodedWithout() throws {
        let json = #"{"metadata":{"name":"a"}}"#
        let pod = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        let value = try JSONValue(encoding: pod)
        #expect(value["apiVersion"] == "v1")
        #expect(value["kind"] == "Pod")
        #expect(value["spec"] == ["containers": []])
        #expect(value["status"] == [:])
    }

    @Test func decodingTheWrongKindFails() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Pod.self, from: Data(Fixtures.node.utf8)) }
        let wrongVersion = #"{"apiVersion":"policy/v1beta1","kind":"PodDisruptionBudget","metadata":{}}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PodDisruptionBudget.self, from: Data(wrongVersion.utf8))
        }
    }

    @Test func listsAndWatchEventsDecode() throws {
        let list = """
            {"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"100","continue":"abc"},
             "items":[{"metadata":{"name":"a","namespace":"x"},"spec":{"containers":[]}}]}
            """
        let pods = try JSONDecoder().decode(ObjectList<Pod>.self, from: Data(list.utf8))
        #expect(pods.items.map(\.name) == ["a"])
        #expect(pods.metadata.continue == "abc")
        let empty = try JSONDecoder().decode(ObjectList<Node>.self, from: Data(#"{"metadata":{},"items":null}"#.utf8))
        #expect(empty.kind == "NodeList" && empty.items.isEmpty)

        let lines = [
            #"{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a"},"spec":{"containers":[]}}}"#,
            #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12746","annotations":{"k8s.io/initial-events-end":"true"}}}}"#,
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#,
        ]
        let events = try lines.map { try JSONDecoder().decode(WatchEvent<Pod>.self, from: Data($0.utf8)) }
        #expect(events.map(\.type) == [.added, .bookmark, .error])
        #expect(events[0].object?.name == "a")
        guard case .bookmark(let meta) = events[1], case .error(let status) = events[2] else {
            Issue.record("unexpected events \(events)")
            return
        }
        #expect(meta.resourceVersion == "12746")
        #expect(status.code == 410 && status.reason == .expired)
        let bookmark = try JSONValue(encoding: events[1])
        #expect(bookmark["object"]?["kind"] == "Pod")
    }

    @Test func watchEventsAndUntypedListsRoundTrip() throws {
        let pod = Pod(metadata: ObjectMeta(name: "a", namespace: "x"))
        for event in [WatchEvent<Pod>.added(pod), .modified(pod), .deleted(pod), .error(.notFound(.pods, name: "a"))] {
            let data = try JSONEncoder().encode(event)
            #expect(try JSONDecoder().decode(WatchEvent<Pod>.self, from: data) == event)
        }
        let bookmark = WatchEvent<JSONValue>.bookmark(ObjectMeta(resourceVersion: "9"))
        let decoded = try JSONDecoder().decode(WatchEvent<JSONValue>.self, from: JSONEncoder().encode(bookmark))
        #expect(decoded == bookmark)
        let untyped = ObjectList<JSONValue>(apiVersion: "v1", kind: "PodList", items: [["metadata": ["name": "a"]]])
        let again = try JSONDecoder().decode(ObjectList<JSONValue>.self, from: JSONEncoder().encode(untyped))
        #expect(again == untyped)
    }

    @Test func tolerationRules() {
        let taint = Taint(key: "dedicated", value: "gpu", effect: .noSchedule)
        #expect(Toleration(key: "dedicated", operator: .equal, value: "gpu").tolerates(taint))
        #expect(Toleration(key: "dedicated", value: "gpu", effect: .noSchedule).tolerates(taint))
        #expect(!Toleration(key: "dedicated", value: "cpu").tolerates(taint))
        #expect(!Toleration(key: "dedicated", operator: .exists, effect: .noExecute).tolerates(taint))
        #expect(Toleration(key: "dedicated", operator: .exists).tolerates(taint))
        #expect(Toleration(operator: .exists).tolerates(taint))
        #expect(!Toleration(key: "other", operator: .exists).tolerates(taint))
    }
}
