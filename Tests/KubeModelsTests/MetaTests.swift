import Foundation
import Testing

@testable import KubeModels

@Suite("Object metadata and API envelopes")
struct MetaTests {
    @Test func resourceTypePathsFollowTheAPILayout() {
        #expect(ResourceType.pods.apiVersion == "v1")
        #expect(ResourceType.pods.pathPrefix == "/api/v1")
        #expect(ResourceType.pods.path(namespace: "default", name: "web-0") == "/api/v1/namespaces/default/pods/web-0")
        #expect(ResourceType.pods.path() == "/api/v1/pods")
        #expect(ResourceType.leases.apiVersion == "coordination.k8s.io/v1")
        #expect(
            ResourceType.leases.path(namespace: "kube-system")
                == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases")
        #expect(ResourceType.nodes.path(namespace: "ignored", name: "n1") == "/api/v1/nodes/n1")
        #expect(
            ResourceType.pods.path(namespace: "a", name: "p", subresource: "eviction")
                == "/api/v1/namespaces/a/pods/p/eviction")
    }

    @Test func statusDecodesAPIServerErrors() throws {
        let json = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"Cannot evict pod as it would violate the pod's disruption budget.",
             "reason":"TooManyRequests","details":{"causes":[{"reason":"DisruptionBudget",
             "message":"The disruption budget web needs 2 healthy pods and has 2 currently"}]},"code":429}
            """
        let status = try JSONDecoder().decode(Status.self, from: Data(json.utf8))
        #expect(status.code == 429)
        #expect(status.reason == .tooManyRequests)
        #expect(status.details?.causes?.first?.reason == "DisruptionBudget")
        #expect(Status.notFound(.pods, name: "x").message == "pods \"x\" not found")
        #expect(Status.notFound(.leases, name: "l").message == "leases.coordination.k8s.io \"l\" not found")
    }

    @Test func intOrStringResolvesPercentages() throws {
        #expect(try IntOrString.string("50%").scaledValue(total: 5, roundUp: true) == 3)
        #expect(try IntOrString.string("50%").scaledValue(total: 5, roundUp: false) == 2)
        #expect(try IntOrString.int(2).scaledValue(total: 5, roundUp: true) == 2)
        #expect(throws: IntOrStringError.notAPercentage("half")) {
            try IntOrString.string("half").scaledValue(total: 4, roundUp: true)
        }
        let decoded = try JSONDecoder().decode([IntOrString].self, from: Data(#"[1,"25%"]"#.utf8))
        #expect(decoded == [.int(1), .string("25%")])
    }

    @Test func deleteOptionsEncodeOnlyWhatIsSet() throws {
        let options = DeleteOptions(gracePeriodSeconds: 30, preconditions: .init(uid: "u1"))
        let text = String(decoding: try JSONEncoder.sorted.encode(options), as: UTF8.self)
        #expect(text == #"{"gracePeriodSeconds":30,"preconditions":{"uid":"u1"}}"#)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
