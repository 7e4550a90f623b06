import Foundation
import Testing

@testable import KubeModels
import MendTime

/// The tape reader behind `KubeJSONDecoder().decode(PodSummary.self, ...)` against two
/// independent references: Foundation's `JSONDecoder` (PodSummary's `Decoder`-protocol path)
/// and `PodSummary(Pod)` (the projection of the full model).
@Suite("PodSummary tape reader")
struct PodSummaryTapeTests {
    /// Decodes `data` three ways; `fromPod` is nil when the text is not a valid full `Pod`.
    func decodeAllWays(_ data: Data) throws -> (tape: PodSummary, protocol: PodSummary, fromPod: PodSummary?) {
        let tape = try KubeJSONDecoder().decode(PodSummary.self, from: data)
        let viaProtocol = try JSONDecoder().decode(PodSummary.self, from: data)
        let pod = try? JSONDecoder().decode(Pod.self, from: data)
        return (tape, viaProtocol, pod.map(PodSummary.init))
    }

    @Test func everyPodFixtureDecodesTheSameAllThreeWays() throws {
        let documents = [
            Fixtures.pod,
            Fixtures.mirrorDaemonPod,
            """
            {"metadata":{"name":"big","namespace":"batch","uid":"u","creationTimestamp":"2024-05-02T08:00:00Z"},
             "spec":{"schedulerName":"default-scheduler","containers":[{"name":"c","resources":{"requests":{"cpu":"64"}}}]},
             "status":{"phase":"Pending","nominatedNodeName":"n9","conditions":[{"type":"PodScheduled","status":"False",
               "reason":"Unschedulable","lastProbeTime":null,"lastTransitionTime":"2024-05-02T08:00:05Z"}]}}
            """,
        ]
        for document in documents {
            let result = try decodeAllWays(Data(document.utf8))
            #expect(result.tape == result.protocol)
            #expect(result.fromPod != nil)
            if result.tape.name == "big" {
                #expect(result.tape.unschedulableSince == KubeTime(Date(timeIntervalSince1970: 1_714_636_805)), "the tape reads the pending time")
            }
            #expect(result.tape == result.fromPod)
        }
        let bare = try decodeAllWays(Data(#"{"metadata":{"name":"x"}}"#.utf8))
        #expect(bare.tape == bare.protocol && bare.tape.name == "x" && bare.tape.requests.isZero)
        // The fast path is the one KubeJSONDecoder takes, also inside lists and watch events.
        let list = "{\"kind\":\"PodList\",\"metadata\":{},\"items\":[\(Fixtures.pod),\(documents[1])]}"
        let fast = try KubeJSONDecoder().decode(ObjectList<PodSummary>.self, from: Data(list.utf8))
        #expect(fast == (try JSONDecoder().decode(ObjectList<PodSummary>.self, from: Data(list.utf8))))
        let event = "{\"type\":\"MODIFIED\",\"object\":\(documents[2])}"
        #expect(
            (try KubeJSONDecoder().decode(WatchEvent<PodSummary>.self, from: Data(event.utf8)))
                == (try JSONDecoder().decode(WatchEvent<PodSummary>.self, from: Data(event.utf8))))
    }

    @Test func generatedRealisticPodsDecodeTheSameAllThreeWays() throws {
        var generator = PodGenerator(seed: 0x5EED_2026)
        var fullPods = 0
        var documents: [String] = []
        let count = 400
        for i in 0..<count {
            var text = String(decoding: try generator.pod(i).serialized(sortedKeys: i % 2 == 0), as: UTF8.self)
            if i % 5 == 0 {
                // Escaped member names must be recognised too.
                text = text.replacingOccurrences(of: #""nodeName""#, with: #""node\u004eame""#)
                    .replacingOccurrences(of: "kubernetes.io/config.mirror", with: #"kubernetes.io\/config.mirror"#)
                    .replacingOccurrences(of: #""requests""#, with: #""\u0072equests""#)
            }
            documents.append(text)
            let result = try decodeAllWays(Data(text.utf8))
            #expect(result.tape == result.protocol, "pod \(i): \(text)")
            if let fromPod = result.fromPod {
                fullPods += 1
                #expect(result.tape == fromPod, "pod \(i): \(text)")
            }
        }
        // The generator makes valid pods; the projection of the full model must have been checked.
        #expect(fullPods == count)
        let list = "{\"kind\":\"PodList\",\"metadata\":{},\"items\":[\(documents.joined(separator: ","))]}"
        let fast = try KubeJSONDecoder().decode(ObjectList<PodSummary>.self, from: Data(list.utf8))
        #expect(fast.items == (try JSONDecoder().decode(ObjectList<PodSummary>.self, from: Data(list.utf8))).items)
        #expect(fast.items.count == count)
    }

    /// The coding path of a `DecodingError`, as `.a.b[1].c`.
    func path(_ error: any Error) -> String? {
        let context: DecodingError.Context? =
            switch error as? DecodingError {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): c
            default: nil
            }
        return context?.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    @Test func wrongTypesAreErrorsNamingTheFieldPathLikeJSONDecoder() throws {
        let cases: [(String, String)] = [
            (#"{"metadata":{"name":5}}"#, ".metadata.name"),
            (#"{"metadata":{"name":"p","labels":{"a":1}}}"#, ".metadata.labels.a"),
            (#"{"metadata":{"name":"p","annotations":{"cluster-autoscaler.kubernetes.io/safe-to-evict":true}}}"#,
                ".metadata.annotations.cluster-autoscaler.kubernetes.io/safe-to-evict"),
            (#"{"metadata":{"ownerReferences":[{"kind":"ReplicaSet","name":"r"},{"kind":"Job"}]}}"#,
                ".metadata.ownerReferences[1]"),
            (#"{"metadata":{"ownerReferences":[{"kind":"Job","name":"j","controller":"yes"}]}}"#,
                ".metadata.ownerReferences[0].controller"),
            (#"{"metadata":{"creationTimestamp":"yesterday"}}"#, ".metadata.creationTimestamp"),
            (#"{"metadata":{},"spec":{"priority":"high"}}"#, ".spec.priority"),
            (#"{"metadata":{},"spec":{"priority":99999999999}}"#, ".spec.priority"),
            (#"{"metadata":{},"spec":{"containers":[{"name":"a"},{"resources":{"requests":{"cpu":true}}}]}}"#,
                ".spec.containers[1].resources.requests.cpu"),
            (#"{"metadata":{},"spec":{"containers":[{"resources":{"limits":{"memory":"lots"}}}]}}"#,
                ".spec.containers[0].resources.limits.memory"),
            (#"{"metadata":{},"spec":{"initContainers":[{"ports":[{"hostPort":80}]}]}}"#,
                ".spec.initContainers[0].ports[0]"),
            (#"{"metadata":{},"spec":{"containers":[null]}}"#, ".spec.containers[0]"),
            (#"{"metadata":{},"spec":{"containers":{"a":1}}}"#, ".spec.containers"),
            (#"{"metadata":{},"spec":{"tolerations":[{"tolerationSeconds":"300"}]}}"#,
                ".spec.tolerations[0].tolerationSeconds"),
            (#"{"metadata":{},"spec":{"volumes":[{"name":"v"},7]}}"#, ".spec.volumes[1]"),
            (#"{"metadata":{},"spec":{"overhead":[1]}}"#, ".spec.overhead"),
            (#"{"metadata":{},"status":{"conditions":[{"type":"Ready"}]}}"#, ".status.conditions[0]"),
            (#"{"metadata":{},"status":{"phase":1}}"#, ".status.phase"),
            (#"{"spec":{}}"#, ""),
            (#"{"metadata":null}"#, ".metadata"),
            ("[]", ""),
        ]
        for (text, expected) in cases {
            let data = Data(text.utf8)
            var protocolPath: String?
            do {
                _ = try JSONDecoder().decode(PodSummary.self, from: data)
                Issue.record("JSONDecoder accepted \(text)")
            } catch { protocolPath = path(error) }
            do {
                _ = try KubeJSONDecoder().decode(PodSummary.self, from: data)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error is DecodingError, "\(text): \(error)")
                #expect(path(error) == expected, "\(text): \(error)")
                // Foundation reports an integer that overflows without a path; elsewhere both agree.
                if protocolPath != "" || expected == "" {
                    #expect(path(error) == protocolPath, "\(text): \(error)")
                }
            }
        }
    }

    @Test func membersASummaryIgnoresMayHoldAnything() throws {
        // Non-object spec, status, annotations and affinity count as absent on both paths.
        let text = """
            {"metadata":{"name":"p","annotations":["x"],"managedFields":[{"weird":true}]},
             "spec":{"affinity":7,"containers":[{"name":"c","image":{"not":"a string"},"env":5}]},"status":"gone"}
            """
        let result = try decodeAllWays(Data(text.utf8))
        #expect(result.tape == result.protocol)
        #expect(result.tape.name == "p" && result.tape.phase == nil && result.tape.safeToEvict == nil)
        // Null annotation values (which a full Pod rejects) read as absent, a null mirror marker still marks.
        let nulls = """
            {"metadata":{"name":"q","annotations":{"kubernetes.io/config.mirror":null,
              "cluster-autoscaler.kubernetes.io/safe-to-evict":null}},"spec":null,"status":null}
            """
        let summary = try decodeAllWays(Data(nulls.utf8))
        #expect(summary.tape == summary.protocol)
        #expect(summary.tape.isMirrorPod && summary.tape.safeToEvict == nil)
    }

    @Test func resourceListsReadFromTheTapeMatchJSONDecoder() throws {
        let good = #"{"cpu":"250m","memory":"1.5Gi","pods":110,"fraction":0.5,"big":"1e3","nvidia.com/gpu":"2"}"#
        let fast = try KubeJSONDecoder().decode([String: Quantity].self, from: Data(good.utf8))
        #expect(fast == (try JSONDecoder().decode([String: Quantity].self, from: Data(good.utf8))))
        #expect(fast["memory"] == Quantity(nanoValue: 1_610_612_736 * 1_000_000_000))
        let bad: [(String, String)] = [
            (#"{"cpu":"lots"}"#, ".cpu"), (#"{"cpu":true}"#, ".cpu"), (#"{"cpu":null}"#, ".cpu"), ("[1]", ""),
        ]
        for (text, expected) in bad {
            var foundationPath: String?
            do { _ = try JSONDecoder().decode([String: Quantity].self, from: Data(text.utf8)) } catch {
                foundationPath = path(error)
            }
            do {
                _ = try KubeJSONDecoder().decode([String: Quantity].self, from: Data(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(path(error) == expected, "\(text): \(error)")
                #expect(path(error) == foundationPath, "\(text): \(error)")
            }
        }
    }

    @Test func truncatedOrMalformedPodsAreSyntaxErrors() throws {
        let full = Array(Fixtures.pod.utf8)
        var checked = 0
        for length in stride(from: 0, to: full.count, by: 37) {
            do {
                _ = try KubeJSONDecoder().decode(PodSummary.self, from: full[0..<length])
                Issue.record("accepted a pod cut at byte \(length)")
            } catch let DecodingError.dataCorrupted(context) {
                let syntax = context.underlyingError as? JSONSyntaxError
                #expect(syntax != nil, "cut at \(length)")
                #expect(syntax.map { $0.offset <= length } ?? false, "cut at \(length)")
            }
            checked += 1
        }
        #expect(checked > 20)
        let broken = Fixtures.pod.replacingOccurrences(of: #""namespace":"#, with: #""namespace" "#)
        #expect(throws: DecodingError.self) { try KubeJSONDecoder().decode(PodSummary.self, from: Data(broken.utf8)) }
    }
}

/// Deterministic pseudo-random pods shaped like what an API server returns, varying what a
/// summary reads: owners, annotations, resources (strings and numbers, requests and limits),
/// sidecar and plain init containers, host ports, tolerations, affinity, volumes, conditions,
/// and absent or `null` optional members.
struct PodGenerator {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next() % UInt64(range.count))
    }

    private mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    private mutating func pick<T>(_ options: [T]) -> T { options[int(0...options.count - 1)] }

    /// Sets `key` to `value`, or leaves it out, or (sometimes) writes `null`.
    private mutating func maybe(_ object: inout [String: JSONValue], _ key: String, _ value: JSONValue, present: Int = 60) {
        if chance(present) {
            object[key] = value
        } else if chance(25) {
            object[key] = .null
        }
    }

    private mutating func quantityList() -> JSONValue {
        var list: [String: JSONValue] = [:]
        if chance(80) { list["cpu"] = pick(["100m", "250m", "1", "1.5", "2", .int(2), .double(0.5), "500m"]) }
        if chance(80) { list["memory"] = pick(["64Mi", "512Mi", "1Gi", "1.5Gi", "128M", .int(1_048_576)]) }
        if chance(15) { list["ephemeral-storage"] = pick(["1Gi", "10Gi"]) }
        if chance(10) { list["nvidia.com/gpu"] = pick(["1", .int(2)]) }
        return .object(list)
    }

    private mutating func container(_ name: String, isInit: Bool) -> JSONValue {
        var c: [String: JSONValue] = ["name": .string(name), "image": "registry.example.com/app:1.0"]
        var resources: [String: JSONValue] = [:]
        maybe(&resources, "requests", quantityList(), present: 70)
        maybe(&resources, "limits", quantityList(), present: 50)
        maybe(&c, "resources", .object(resources), present: 85)
        if chance(50) {
            c["ports"] = .array(
                (0..<int(1...2)).map { _ in
                    var port: [String: JSONValue] = ["containerPort": .int(Int64(int(80...9000)))]
                    if chance(30) { port["hostPort"] = .int(Int64(pick([0, 80, 443, int(1000...9000)]))) }
                    maybe(&port, "protocol", pick(["TCP", "UDP", ""]), present: 50)
                    maybe(&port, "hostIP", pick(["", "0.0.0.0", "10.0.0.1"]), present: 20)
                    maybe(&port, "name", "http", present: 40)
                    return .object(port)
                })
        }
        if isInit { maybe(&c, "restartPolicy", pick(["Always", "OnFailure"]), present: 50) }
        c["env"] = [["name": "A", "value": "b"]]
        return .object(c)
    }

    private mutating func toleration() -> JSONValue {
        var t: [String: JSONValue] = [:]
        maybe(&t, "key", pick(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "dedicated", ""]), present: 85)
        maybe(&t, "operator", pick(["Exists", "Equal"]), present: 80)
        maybe(&t, "value", pick(["gpu", "batch", "caf\u{E9}"]), present: 30)
        maybe(&t, "effect", pick(["NoExecute", "NoSchedule", "PreferNoSchedule"]), present: 70)
        maybe(&t, "tolerationSeconds", .int(Int64(int(0...600))), present: 40)
        return .object(t)
    }

    private mutating func affinityTerm() -> JSONValue {
        [
            "labelSelector": ["matchLabels": ["app": .string("app-\(int(0...9))")]],
            "topologyKey": .string(pick(["kubernetes.io/hostname", "topology.kubernetes.io/zone"])),
        ]
    }

    mutating func pod(_ i: Int) -> JSONValue {
        var meta: [String: JSONValue] = ["name": .string("pod-\(i)-\(int(0...99_999))")]
        maybe(&meta, "namespace", .string(pick(["default", "shop", "kube-system", "b\u{FC}ro"])), present: 90)
        maybe(&meta, "uid", .string(pick(["0f4c1ab2-6f4d-4c5e-9a77-1b2c3d4e5f60", "not-a-uuid", "0F4C1AB2-6F4D-4C5E-9A77-1B2C3D4E5F60"])), present: 90)
        maybe(&meta, "resourceVersion", .string(String(int(1...1_000_000))), present: 90)
        maybe(&meta, "creationTimestamp", pick(["2026-11-20T08:00:00Z", "2026-11-20T08:00:00.123456Z"]), present: 80)
        if chance(10) { meta["deletionTimestamp"] = "2026-11-21T09:30:00Z" }
        if chance(85) {
            var labels: [String: JSONValue] = [:]
            for _ in 0..<int(0...4) {
                labels[pick(["app", "app.kubernetes.io/name", "pod-template-hash", "tier", "team", "\u{E9}t\u{E9}"])] =
                    .string("v\(int(0...20))")
            }
            meta["labels"] = .object(labels)
        } else if chance(30) {
            meta["labels"] = .null
        }
        if chance(60) {
            var annotations: [String: JSONValue] = ["prometheus.io/scrape": "true"]
            if chance(20) { annotations["kubernetes.io/config.mirror"] = "abc" }
            if chance(40) {
                annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"] = pick(["true", "false", "maybe"])
            }
            meta["annotations"] = .object(annotations)
        }
        if chance(80) {
            meta["ownerReferences"] = .array(
                (0..<int(1...2)).map { _ in
                    var owner: [String: JSONValue] = [
                        "apiVersion": "apps/v1", "kind": .string(pick(["ReplicaSet", "DaemonSet", "StatefulSet", "Job", "Node"])),
                        "name": .string("owner-\(int(0...50))"), "uid": "u",
                    ]
                    maybe(&owner, "controller", .bool(chance(70)), present: 80)
                    return .object(owner)
                })
        }

        var spec: [String: JSONValue] = [
            "containers": .array((0..<int(1...3)).map { container("c\($0)", isInit: false) })
        ]
        if chance(35) { spec["initContainers"] = .array((0..<int(1...2)).map { container("i\($0)", isInit: true) }) }
        maybe(&spec, "nodeName", .string("ip-10-0-\(int(0...20)).internal"), present: 70)
        maybe(&spec, "schedulerName", pick(["default-scheduler", "custom"]), present: 70)
        maybe(&spec, "priority", .int(Int64(pick([0, 1000, -5, 2_000_000_000]))), present: 60)
        if chance(80) { spec["tolerations"] = .array((0..<int(0...3)).map { _ in toleration() }) }
        if chance(30) { spec["nodeSelector"] = ["kubernetes.io/os": "linux", "pool": .string("p\(int(0...3))")] }
        if chance(10) { spec["overhead"] = ["cpu": "10m", "memory": "20Mi"] }
        if chance(35) {
            var affinity: [String: JSONValue] = [:]
            if chance(60) {
                affinity["nodeAffinity"] = [
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        "nodeSelectorTerms": [
                            ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a", "b"]]]]
                        ]
                    ]
                ]
            }
            if chance(50) {
                affinity["podAntiAffinity"] = [
                    "requiredDuringSchedulingIgnoredDuringExecution": .array((0..<int(0...2)).map { _ in affinityTerm() })
                ]
            }
            if chance(30) {
                affinity["podAffinity"] = [
                    "requiredDuringSchedulingIgnoredDuringExecution": .array((0..<int(0...1)).map { _ in affinityTerm() })
                ]
            }
            spec["affinity"] = .object(affinity)
        }
        if chance(70) {
            spec["volumes"] = .array(
                (0..<int(1...3)).map { v in
                    switch int(0...2) {
                    case 0: ["name": .string("v\(v)"), "emptyDir": chance(80) ? [:] : ["medium": "Memory"]]
                    case 1: ["name": .string("v\(v)"), "configMap": ["name": "cfg"]]
                    default: ["name": .string("v\(v)"), "projected": ["sources": []]]
                    }
                })
        }

        var pod: [String: JSONValue] = ["apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": .object(spec)]
        if chance(90) {
            var status: [String: JSONValue] = [:]
            maybe(&status, "phase", pick(["Pending", "Running", "Succeeded", "Failed", "Unknown"]), present: 85)
            if chance(80) {
                status["conditions"] = .array(
                    (0..<int(0...4)).map { _ in
                        var condition: [String: JSONValue] = [
                            "type": .string(pick(["Ready", "PodScheduled", "Initialized", "ContainersReady"])),
                            "status": .string(pick(["True", "False", "Unknown"])), "lastProbeTime": .null,
                        ]
                        maybe(&condition, "reason", pick(["Unschedulable", "SchedulingGated", "ContainersNotReady"]), present: 50)
                        // The autoscaler's pending age reads the PodScheduled=False transition time.
                        maybe(&condition, "lastTransitionTime", .string("2026-12-0\(int(1...9))T0\(int(0...9)):1\(int(0...9)):00Z"), present: 70)
                        return .object(condition)
                    })
            }
            maybe(&status, "nominatedNodeName", .string("ip-10-0-\(int(0...20)).internal"), present: 10)
            status["podIP"] = "10.1.2.3"
            pod["status"] = .object(status)
        }
        return .object(pod)
    }
}
