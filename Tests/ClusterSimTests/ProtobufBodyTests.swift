import Foundation
import KubeModels
import Testing

@testable import ClusterSim

/// Protobuf request bodies, as kubectl 1.32 sends them for typed creates.
///
/// The fixtures are the exact bytes kubectl sent for `kubectl create namespace demo`,
/// `kubectl create configmap cm1 --from-literal=k1=v1` and `kubectl create deployment d1 --image=nginx`.
@Suite struct ProtobufBodyTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/protobuf/\(name)")
        return Array(try Data(contentsOf: url))
    }

    @Test func namespaceFromKubectlDecodesToTheSameObjectAsJSON() throws {
        let object = try KubernetesProtobuf.decode(Self.fixture("namespace-demo.pb"))
        #expect(object == ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "demo"]])
    }

    @Test func configMapKeepsItsDataAndNamespace() throws {
        let object = try KubernetesProtobuf.decode(Self.fixture("configmap-cm1.pb"))
        #expect(object["metadata"] == ["name": "cm1", "namespace": "default"])
        #expect(object["data"] == ["k1": "v1"])
        #expect(object["kind"] == "ConfigMap")
    }

    @Test func kindWithoutASchemaIsRefusedByName() throws {
        #expect(throws: ProtobufDecodingError.unsupportedKind(apiVersion: "apps/v1", kind: "Deployment")) {
            try KubernetesProtobuf.decode(Self.fixture("deployment-d1.pb"))
        }
    }

    @Test func bodyWithoutTheKubernetesPrefixIsMalformed() {
        #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decode(Array("{}".utf8)) }
    }

    @Test func truncatedBodyIsMalformedNotACrash() throws {
        let bytes = try Self.fixture("configmap-cm1.pb")
        for length in stride(from: 5, to: bytes.count - 1, by: 3) {
            // Every prefix either decodes (a field boundary) or fails cleanly.
            _ = try? KubernetesProtobuf.decode(Array(bytes.prefix(length)))
        }
        #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decode(Array(bytes.prefix(12))) }
    }

    @Test func evictionWithDeleteOptionsKeepsAZeroGracePeriod() throws {
        // Eviction{metadata{name:"p", namespace:"ns"}, deleteOptions{gracePeriodSeconds: 0, dryRun:["All"]}}
        var raw: [UInt8] = []
        let meta: [UInt8] = [0x0a, 0x01, 0x70, 0x1a, 0x02, 0x6e, 0x73]
        let options: [UInt8] = [0x08, 0x00, 0x2a, 0x03, 0x41, 0x6c, 0x6c]
        raw += [0x0a, UInt8(meta.count)] + meta + [0x12, UInt8(options.count)] + options
        let typeMeta: [UInt8] = [0x0a, 0x09] + Array("policy/v1".utf8) + [0x12, 0x08] + Array("Eviction".utf8)
        let body = KubernetesProtobuf.magic + [0x0a, UInt8(typeMeta.count)] + typeMeta + [0x12, UInt8(raw.count)] + raw
        let object = try KubernetesProtobuf.decode(body)
        #expect(object["metadata"] == ["name": "p", "namespace": "ns"])
        #expect(object["deleteOptions"] == ["gracePeriodSeconds": 0, "dryRun": ["All"]])
    }
}
