import Foundation
import Testing

@testable import KubeModels
import MendTime

/// The tape readers behind `KubeJSONDecoder().decode(Pod.self, ...)` (and `ObjectMeta`,
/// `KubeTime`) against Foundation's `JSONDecoder`, which takes the models' `Decoder`-protocol
/// path: equal values, and the same error kind at the same coding path.
@Suite("Pod tape reader")
struct PodTapeTests {
    /// A pod with every member of every model type it holds (checked by
    /// `theMaximalPodSetsEveryOptionalMember`), plus unknown members at several depths.
    static let maximalPod = #"""
        {"apiVersion":"v1","kind":"Pod","futureTopLevel":{"x":[1,2]},
         "metadata":{"name":"web-1","generateName":"web-","namespace":"shop","uid":"u-1","resourceVersion":"42",
          "generation":3,"creationTimestamp":"2024-05-01T10:05:00Z","deletionTimestamp":"2024-05-02T10:05:00.5Z",
          "deletionGracePeriodSeconds":30,"labels":{"app":"web","caf\u00e9":"ol\u00e9"},
          "annotations":{"kubernetes.io/config.mirror":"h"},"finalizers":["a/b"],"managedFields":[{"manager":"m"}],
          "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","uid":"rs-1","controller":true,
            "blockOwnerDeletion":true}]},
         "spec":{
          "volumes":[{"name":"all","emptyDir":{"medium":"Memory","sizeLimit":"1Gi"},
            "hostPath":{"path":"/var/log","type":"Directory"},
            "persistentVolumeClaim":{"claimName":"data","readOnly":true},
            "configMap":{"name":"cfg","items":[{"key":"k","path":"p","mode":420}],"defaultMode":420,"optional":true},
            "secret":{"secretName":"s","items":[{"key":"k","path":"p","mode":256}],"defaultMode":256,"optional":false},
            "projected":{"sources":[{"serviceAccountToken":{"path":"token"}}],"defaultMode":420},
            "csi":{"driver":"secrets-store.csi.k8s.io","readOnly":true},"nfs":{"server":"n","path":"/"}}],
          "initContainers":[{"name":"init","image":"busybox","restartPolicy":"Always"}],
          "containers":[{"name":"web","image":"web:1","command":["/bin/web"],"args":["--port","8080"],
            "workingDir":"/app","ports":[{"containerPort":8080,"hostPort":80,"protocol":"TCP","hostIP":"0.0.0.0",
            "name":"http"}],"envFrom":[{"configMapRef":{"name":"cfg"}}],"env":[{"name":"A","value":"b"}],
            "resources":{"requests":{"cpu":"250m","memory":512},"limits":{"memory":"1Gi"},"claims":[{"name":"gpu"}]},
            "resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"}],"restartPolicy":"Never",
            "volumeMounts":[{"name":"all","mountPath":"/all"}],"volumeDevices":[{"name":"d","devicePath":"/dev/d"}],
            "livenessProbe":{"httpGet":{"path":"/healthz","port":8080}},"readinessProbe":{"tcpSocket":{"port":8080}},
            "startupProbe":{"exec":{"command":["true"]}},"lifecycle":{"preStop":{"sleep":{"seconds":5}}},
            "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
            "imagePullPolicy":"IfNotPresent","securityContext":{"runAsNonRoot":true},"stdin":false,"stdinOnce":false,
            "tty":false,"futureContainerField":1.5}],
          "ephemeralContainers":[{"name":"debug"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,
          "activeDeadlineSeconds":600,"dnsPolicy":"ClusterFirst","nodeSelector":{"kubernetes.io/os":"linux"},
          "serviceAccountName":"web","serviceAccount":"web","automountServiceAccountToken":true,"nodeName":"n1",
          "hostNetwork":false,"hostPID":false,"hostIPC":false,"shareProcessNamespace":true,
          "securityContext":{"fsGroup":2000},"imagePullSecrets":[{"name":"regcred"}],"hostname":"web-1",
          "subdomain":"web","affinity":{
            "nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
              {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}],
               "matchFields":[{"key":"metadata.name","operator":"NotIn","values":["n9"]}]}]},
             "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":10,"preference":{
               "matchExpressions":[{"key":"pool","operator":"Exists","values":[]}],
               "matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}}]},
            "podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"a":"b"},
              "matchExpressions":[{"key":"tier","operator":"In","values":["web"]}]},"namespaces":["shop"],
              "topologyKey":"zone","namespaceSelector":{"matchLabels":{"team":"x"},"matchExpressions":[
              {"key":"env","operator":"Exists","values":[]}]},"matchLabelKeys":["pod-template-hash"],
              "mismatchLabelKeys":["tenant"]}],
             "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":5,"podAffinityTerm":{"labelSelector":{
              "matchLabels":{"a":"b"},"matchExpressions":[{"key":"k","operator":"DoesNotExist","values":[]}]},
              "namespaces":["shop"],"topologyKey":"host","namespaceSelector":{"matchLabels":{},
              "matchExpressions":[]},"matchLabelKeys":["x"],"mismatchLabelKeys":["y"]}}]},
            "podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{
              "app":"web"},"matchExpressions":[]},"namespaces":[],"topologyKey":"kubernetes.io/hostname",
              "namespaceSelector":{"matchLabels":{},"matchExpressions":[]},"matchLabelKeys":[],"mismatchLabelKeys":[]}],
             "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"podAffinityTerm":{"labelSelector":{
              "matchLabels":{},"matchExpressions":[]},"namespaces":[],"topologyKey":"zone","namespaceSelector":{
              "matchLabels":{},"matchExpressions":[]},"matchLabelKeys":[],"mismatchLabelKeys":[]}}]}},
          "schedulerName":"default-scheduler","tolerations":[{"key":"dedicated","operator":"Equal","value":"web",
            "effect":"NoSchedule","tolerationSeconds":300}],"hostAliases":[{"ip":"10.0.0.1","hostnames":["db"]}],
          "priorityClassName":"high","priority":1000,"dnsConfig":{"nameservers":["1.1.1.1"]},
          "readinessGates":[{"conditionType":"x"}],"runtimeClassName":"gvisor","enableServiceLinks":true,
          "preemptionPolicy":"Never","overhead":{"cpu":"10m"},"topologySpreadConstraints":[{"maxSkew":1}],
          "os":{"name":"linux"},"schedulingGates":[{"name":"gate"}]},
         "status":{"phase":"Running","message":"m","reason":"r","nominatedNodeName":"n2","hostIP":"10.0.0.1",
          "hostIPs":[{"ip":"10.0.0.1"}],"podIP":"10.1.0.1","podIPs":[{"ip":"10.1.0.1"}],
          "startTime":"2024-05-01T10:05:01Z","qosClass":"Burstable",
          "conditions":[{"type":"Ready","status":"True","lastProbeTime":"2024-05-01T10:05:02Z",
            "lastTransitionTime":"2024-05-01T10:05:03Z","reason":"R","message":"M"}],
          "initContainerStatuses":[{"name":"init","ready":false,"restartCount":0,"image":"busybox","imageID":"i",
            "containerID":"c","started":false,"state":{"terminated":{"exitCode":0,"signal":0,"reason":"Completed",
            "message":"ok","startedAt":"2024-05-01T10:05:01Z","finishedAt":"2024-05-01T10:05:02Z",
            "containerID":"c"}},"lastState":{"waiting":{"reason":"PodInitializing","message":"w"}}}],
          "containerStatuses":[{"name":"web","ready":true,"restartCount":2,"image":"web:1","imageID":"i",
            "containerID":"c","started":true,"state":{"waiting":{"reason":"w","message":"m"},
            "running":{"startedAt":"2024-05-01T10:05:02Z"},"terminated":{"exitCode":1,"signal":9,"reason":"Error",
            "message":"m","startedAt":"2024-05-01T10:05:01Z","finishedAt":"2024-05-01T10:05:02Z","containerID":"c"}},
            "lastState":{"running":{"startedAt":"2024-05-01T10:00:00Z"}},"futureStatusField":null}]}}
        """#

    /// How a decode ended: the value, or the error's kind and coding path (as `.a.b[1].c`, a
    /// missing key's name included).
    enum Outcome<T: Equatable>: Equatable {
        case value(T)
        case error(kind: String, path: String)

        /// The outcome with the error kind left out (Foundation's `JSONDecoder` reports a null
        /// `Bool` as `typeMismatch` where KubeJSONDecoder's `Decoder`-protocol path says
        /// `valueNotFound`; the paths agree).
        var ignoringErrorKind: Outcome {
            if case .error(_, let path) = self { return .error(kind: "", path: path) }
            return self
        }
    }

    static func outcome<T: Decodable & Equatable>(_ decode: () throws -> T) -> Outcome<T> {
        do {
            return .value(try decode())
        } catch let error as DecodingError {
            let (kind, context): (String, DecodingError.Context) =
                switch error {
                case .typeMismatch(_, let c): ("typeMismatch", c)
                case .valueNotFound(_, let c): ("valueNotFound", c)
                case .keyNotFound(let key, let c):
                    ("keyNotFound", DecodingError.Context(codingPath: c.codingPath + [key], debugDescription: ""))
                case .dataCorrupted(let c): ("dataCorrupted", c)
                @unknown default: ("unknown", DecodingError.Context(codingPath: [], debugDescription: ""))
                }
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return .error(kind: kind, path: path)
        } catch {
            return .error(kind: "not a DecodingError: \(error)", path: "")
        }
    }

    /// `data` decoded as `T` three ways: by KubeJSONDecoder (the tape readers), by the same
    /// tape through the models' `Decoder`-protocol conformances only, and by Foundation.
    static func allWays<T: Decodable & Equatable>(_ type: T.Type, _ data: Data) -> (
        tape: Outcome<T>, reference: Outcome<T>, foundation: Outcome<T>
    ) {
        (
            outcome { try KubeJSONDecoder().decode(T.self, from: data) },
            outcome { try JSONTape(parsing: data, fastPaths: false).decode(T.self, at: 0) },
            outcome { try JSONDecoder().decode(T.self, from: data) }
        )
    }

    /// Expects the tape readers to give exactly what the `Decoder`-protocol path gives, and
    /// Foundation the same value or an error at the same path.
    static func expectSame<T>(
        _ result: (tape: Outcome<T>, reference: Outcome<T>, foundation: Outcome<T>),
        _ comment: @autoclosure () -> String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.tape == result.reference, "\(comment())", sourceLocation: sourceLocation)
        #expect(
            result.tape.ignoringErrorKind == result.foundation.ignoringErrorKind, "\(comment())",
            sourceLocation: sourceLocation)
    }

    @Test func theMaximalPodSetsEveryOptionalMember() throws {
        let pod = try KubeJSONDecoder().decode(Pod.self, from: Data(Self.maximalPod.utf8))
        var set: Set<String> = []
        var unset: Set<String> = []
        Self.optionalMembers(of: pod, set: &set, unset: &unset)
        #expect(unset.subtracting(set) == [], "members of these types are nil everywhere in the maximal pod")
        #expect(set.count > 150)
        #expect(pod.spec.volumes?.first?.otherSources.keys.sorted() == ["csi", "nfs"])
        #expect(pod.metadata.labels?["caf\u{E9}"] == "ol\u{E9}")
    }

    /// Collects `Type.member` for each optional member of the model structs in `value` (through
    /// arrays and optionals), into `set` where it holds a value and `unset` where it is nil.
    static func optionalMembers(of value: Any, set: inout Set<String>, unset: inout Set<String>) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let wrapped = mirror.children.first?.value { optionalMembers(of: wrapped, set: &set, unset: &unset) }
        case .struct:
            for child in mirror.children {
                let name = "\(mirror.subjectType).\(child.label ?? "?")"
                let member = Mirror(reflecting: child.value)
                if member.displayStyle == .optional {
                    if member.children.isEmpty { unset.insert(name) } else { set.insert(name) }
                }
                optionalMembers(of: child.value, set: &set, unset: &unset)
            }
        case .collection:
            for child in mirror.children { optionalMembers(of: child.value, set: &set, unset: &unset) }
        default:
            break  // JSONValue, dictionaries and leaves
        }
    }

    @Test func everyPodFixtureDecodesTheSameAsWithJSONDecoder() throws {
        let documents = [
            Self.maximalPod, Fixtures.pod, Fixtures.mirrorDaemonPod, #"{"metadata":{}}"#,
            #"{"metadata":{"name":"x"},"spec":null,"status":null}"#,
        ]
        for document in documents {
            let result = Self.allWays(Pod.self, Data(document.utf8))
            Self.expectSame(result, document)
            guard case .value = result.tape else {
                Issue.record("\(document) did not decode: \(result.tape)")
                continue
            }
        }
        // The same reader serves lists and watch events, and ObjectMeta in every other object.
        let list = "{\"kind\":\"PodList\",\"metadata\":{},\"items\":[\(documents.joined(separator: ","))]}"
        let pods = Self.allWays(ObjectList<Pod>.self, Data(list.utf8))
        Self.expectSame(pods, "list")
        if case .value(let value) = pods.tape { #expect(value.items.count == documents.count) }
        for type in ["ADDED", "MODIFIED", "DELETED"] {
            let event = Self.allWays(
                WatchEvent<Pod>.self, Data("{\"type\":\"\(type)\",\"object\":\(Self.maximalPod)}".utf8))
            Self.expectSame(event, type)
        }
        let node = Self.allWays(Node.self, Data(Fixtures.node.utf8))
        Self.expectSame(node, "node")
        let meta = Self.allWays(
            ObjectMeta.self, Data(#"{"name":"a","creationTimestamp":"2024-05-01T10:05:00Z"}"#.utf8))
        Self.expectSame(meta, "meta")
    }

    @Test func generatedRealisticPodsDecodeTheSameAsWithJSONDecoder() throws {
        var generator = PodGenerator(seed: 0x90D_7A9E)
        var documents: [String] = []
        for i in 0..<400 {
            var text = String(decoding: try generator.pod(i).serialized(sortedKeys: i % 2 == 0), as: UTF8.self)
            if i % 5 == 0 {
                // Escaped member names are recognised too.
                text = text.replacingOccurrences(of: #""nodeName""#, with: #""node\u004eame""#)
                    .replacingOccurrences(of: #""containers""#, with: #""\u0063ontainers""#)
                    .replacingOccurrences(of: #""name""#, with: #""n\u0061me""#)
            }
            documents.append(text)
            let result = Self.allWays(Pod.self, Data(text.utf8))
            Self.expectSame(result, "pod \(i): \(text)")
            if case .error = result.tape { Issue.record("pod \(i) did not decode: \(result.tape)") }
        }
        let list = "{\"kind\":\"PodList\",\"metadata\":{},\"items\":[\(documents.joined(separator: ","))]}"
        let pods = Self.allWays(ObjectList<Pod>.self, Data(list.utf8))
        Self.expectSame(pods, "list")
    }

    /// Every object member of `value` with its path, at any depth (through arrays).
    static func memberPaths(_ value: JSONValue, _ prefix: [JSONPathStep] = []) -> [[JSONPathStep]] {
        switch value {
        case .object(let members):
            members.keys.sorted().flatMap { [prefix + [.key($0)]] + memberPaths(members[$0]!, prefix + [.key($0)]) }
        case .array(let elements):
            elements.indices.flatMap { memberPaths(elements[$0], prefix + [.index($0)]) }
        default: []
        }
    }

    enum JSONPathStep {
        case key(String)
        case index(Int)
    }

    /// `value` with the member at `path` replaced by `replacement` (removed when nil).
    static func replacing(_ path: ArraySlice<JSONPathStep>, in value: JSONValue, with replacement: JSONValue?)
        -> JSONValue
    {
        guard let step = path.first else { return replacement ?? value }
        switch (step, value) {
        case (.key(let key), .object(var members)):
            if path.count == 1 {
                members[key] = replacement
            } else {
                guard let member = members[key] else { return value }  // left out by an earlier step
                members[key] = replacing(path.dropFirst(), in: member, with: replacement)
            }
            return .object(members)
        case (.index(let i), .array(var elements)):
            elements[i] = replacing(path.dropFirst(), in: elements[i], with: replacement)
            return .array(elements)
        default:
            return value
        }
    }

    @Test func everyMemberAbsentNullOrOfTheWrongTypeGivesTheSameOutcomeAsJSONDecoder() async throws {
        let pod = try JSONDecoder().decode(JSONValue.self, from: Data(Self.maximalPod.utf8))
        let paths = Self.memberPaths(pod)
        #expect(paths.count > 300)
        var failures = 0
        var harmless: [([JSONPathStep], JSONValue?)] = []
        for path in paths {
            let wrong: JSONValue = if case .string = Self.value(at: path[...], in: pod) { 7 } else { "x" }
            for replacement in [nil, JSONValue.null, true, wrong, [:]] as [JSONValue?] {
                let data = try Self.replacing(path[...], in: pod, with: replacement).serialized(sortedKeys: false)
                let result = Self.allWays(Pod.self, data)
                Self.expectSame(result, "\(path) = \(String(describing: replacement))")
                if case .error = result.reference { failures += 1 }
                if replacement == nil || replacement == .null, case .value = result.reference {
                    harmless.append((path, replacement))
                }
            }
            // Eight seconds of decoding in debug builds: let the tests beside this one (timers,
            // watches) have this thread now and then, on a machine with two.
            await Task.yield()
        }
        // Wrong types and missing required members were met at many depths.
        #expect(failures > 500)
        // Any mix of members that may each be left out or null decodes the same way too.
        var random = SplitMix64(seed: 0x0DD_BA11)
        for _ in 0..<60 {
            var variant = pod
            for (path, replacement) in harmless where Int.random(in: 0..<8, using: &random) == 0 {
                variant = Self.replacing(path[...], in: variant, with: replacement)
            }
            let result = Self.allWays(Pod.self, try variant.serialized(sortedKeys: Bool.random(using: &random)))
            Self.expectSame(result, "variant")
            if case .error = result.reference { Issue.record("a variant failed: \(result.reference)") }
        }
    }

    static func value(at path: ArraySlice<JSONPathStep>, in value: JSONValue) -> JSONValue? {
        guard let step = path.first else { return value }
        switch (step, value) {
        case (.key(let key), .object(let members)):
            return members[key].flatMap { Self.value(at: path.dropFirst(), in: $0) }
        case (.index(let i), .array(let elements)): return Self.value(at: path.dropFirst(), in: elements[i])
        default: return nil
        }
    }

    @Test func wrongAPIVersionOrKindIsRejectedAtItsPath() throws {
        for (text, path) in [
            (#"{"apiVersion":"apps/v1","metadata":{}}"#, ".apiVersion"), (#"{"kind":"Node","metadata":{}}"#, ".kind"),
        ] {
            let result = Self.allWays(Pod.self, Data(text.utf8))
            #expect(result.tape == .error(kind: "dataCorrupted", path: path))
            Self.expectSame(result, text)
        }
        let badTime = Self.allWays(KubeTime.self, Data(#""yesterday""#.utf8))
        #expect(badTime.tape == .error(kind: "dataCorrupted", path: ""))
        Self.expectSame(badTime, "time")
    }
}

extension PodTapeTests {
    @Test func anErrorDeepInALongListNamesTheItemAndMember() throws {
        var items = (0..<30).map { _ in Fixtures.pod }
        items[17] = items[17].replacingOccurrences(of: #""containerPort": 8080"#, with: #""containerPort": "http""#)
        items[23] = #"{"metadata":{"labels":{"ok":"1","bad":7}}}"#
        let list = "{\"kind\":\"PodList\",\"metadata\":{},\"items\":[\(items.joined(separator: ","))]}"
        let result = Self.allWays(ObjectList<Pod>.self, Data(list.utf8))
        #expect(
            result.tape == .error(kind: "typeMismatch", path: ".items[17].spec.containers[0].ports[0].containerPort"))
        Self.expectSame(result, "list")
        items[17] = Fixtures.pod
        let second = Self.allWays(ObjectList<Pod>.self, Data("{\"items\":[\(items.joined(separator: ","))]}".utf8))
        #expect(second.tape == .error(kind: "typeMismatch", path: ".items[23].metadata.labels.bad"))
        Self.expectSame(second, "labels")
    }
}
