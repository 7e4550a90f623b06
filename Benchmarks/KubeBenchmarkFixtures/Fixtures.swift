import Foundation
import KubeModels

/// Realistic API objects as JSON, shaped like what a production API server returns (without
/// managedFields, which clients usually strip): labels, owner references, several containers with
/// env, probes, resources and mounts, tolerations, status with conditions and container statuses.
public enum Fixtures {
    public static func pod(_ i: Int, namespace: String = "shop", resourceVersion: Int? = nil) -> JSONValue {
        let app = "app-\(i % 97)"
        let hash = String(format: "%08x", i &* 2_654_435_761 & 0xffff_ffff)
        func container(_ name: String, _ image: String, cpu: String, memory: String) -> JSONValue {
            [
                "name": .string(name), "image": .string(image), "imagePullPolicy": "IfNotPresent",
                "ports": [["containerPort": 8080, "name": "http", "protocol": "TCP"]],
                "env": .array((0..<5).map { ["name": .string("SETTING_\($0)"), "value": .string("value-\($0)-\(i)")] }),
                "resources": [
                    "requests": ["cpu": .string(cpu), "memory": .string(memory)],
                    "limits": ["memory": .string(memory)],
                ],
                "readinessProbe": [
                    "httpGet": ["path": "/healthz", "port": 8080, "scheme": "HTTP"], "periodSeconds": 10,
                    "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3,
                ],
                "volumeMounts": [
                    ["name": "config", "mountPath": "/etc/app", "readOnly": true],
                    ["name": .string("kube-api-access-\(hash.prefix(5))"), "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true],
                ],
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
            ]
        }
        func status(_ name: String, _ image: String) -> JSONValue {
            [
                "name": .string(name), "ready": true, "restartCount": 0, "started": true, "image": .string(image),
                "imageID": .string("docker.io/library/\(image)@sha256:\(hash)\(hash)\(hash)\(hash)\(hash)\(hash)\(hash)\(hash)"),
                "containerID": .string("containerd://\(hash)\(hash)\(hash)\(hash)\(hash)\(hash)\(hash)\(hash)"),
                "state": ["running": ["startedAt": "2026-11-20T08:00:00Z"]],
            ]
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string("\(app)-\(hash.prefix(5))-\(i)"), "generateName": .string("\(app)-\(hash.prefix(5))-"),
                "namespace": .string(namespace), "uid": .string(uuid(i)),
                "resourceVersion": .string(String(resourceVersion ?? (100_000 + i))),
                "creationTimestamp": "2026-11-20T08:00:00Z",
                "labels": ["app": .string(app), "pod-template-hash": .string(String(hash.prefix(9))), "tier": "web", "team": "payments"],
                "annotations": ["kubectl.kubernetes.io/restartedAt": "2026-11-19T10:00:00Z", "prometheus.io/scrape": "true"],
                "ownerReferences": [[
                    "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string("\(app)-\(hash.prefix(5))"),
                    "uid": .string(uuid(i / 3 + 7_000_000)), "controller": true, "blockOwnerDeletion": true,
                ]],
            ],
            "spec": [
                "containers": [
                    container("app", "registry.example.com/payments/\(app):1.42.\(i % 10)", cpu: "250m", memory: "512Mi"),
                    container("sidecar", "envoyproxy/envoy:v1.31.2", cpu: "50m", memory: "64Mi"),
                ],
                "volumes": [
                    ["name": "config", "configMap": ["name": .string("\(app)-config"), "defaultMode": 420]],
                    ["name": .string("kube-api-access-\(hash.prefix(5))"), "projected": ["defaultMode": 420, "sources": [["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]]]]],
                ],
                "nodeName": .string("ip-10-0-\(i % 200)-\(i % 250).eu-west-1.compute.internal"),
                "serviceAccountName": "default", "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
                "schedulerName": "default-scheduler", "terminationGracePeriodSeconds": 30, "priority": 0,
                "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
                "tolerations": [
                    ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                    ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                ],
            ],
            "status": [
                "phase": "Running", "qosClass": "Burstable",
                "hostIP": .string("10.0.\(i % 200).\(i % 250)"), "podIP": .string("10.1.\(i % 250).\(i % 200)"),
                "podIPs": [["ip": .string("10.1.\(i % 250).\(i % 200)")]], "startTime": "2026-11-20T08:00:00Z",
                "conditions": .array(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map {
                    ["type": .string($0), "status": "True", "lastProbeTime": nil, "lastTransitionTime": "2026-11-20T08:00:05Z"]
                }),
                "containerStatuses": [
                    status("app", "registry.example.com/payments/\(app):1.42.\(i % 10)"),
                    status("sidecar", "envoyproxy/envoy:v1.31.2"),
                ],
            ],
        ]
    }

    public static func node(_ i: Int) -> JSONValue {
        let name = "ip-10-0-\(i / 250)-\(i % 250).eu-west-1.compute.internal"
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name), "uid": .string(uuid(i + 9_000_000)), "resourceVersion": .string(String(500_000 + i)),
                "creationTimestamp": "2026-11-01T00:00:00Z",
                "labels": [
                    "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "node.kubernetes.io/instance-type": "m6i.2xlarge", "topology.kubernetes.io/region": "eu-west-1",
                    "topology.kubernetes.io/zone": .string("eu-west-1\(["a", "b", "c"][i % 3])"),
                    "eks.amazonaws.com/nodegroup": .string("workers-\(i % 4)"), "eks.amazonaws.com/capacityType": "ON_DEMAND",
                ],
                "annotations": ["node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"],
            ],
            "spec": ["providerID": .string("aws:///eu-west-1a/i-0\(String(format: "%016x", i))")],
            "status": [
                "capacity": ["cpu": "8", "memory": "32386524Ki", "pods": "58", "ephemeral-storage": "104845292Ki"],
                "allocatable": ["cpu": "7910m", "memory": "31369692Ki", "pods": "58", "ephemeral-storage": "95551679124"],
                "conditions": .array([("MemoryPressure", "False"), ("DiskPressure", "False"), ("PIDPressure", "False"), ("Ready", "True")].map {
                    [
                        "type": .string($0.0), "status": .string($0.1), "lastHeartbeatTime": "2026-11-23T08:00:00Z",
                        "lastTransitionTime": "2026-11-01T00:01:00Z", "reason": .string("Kubelet\($0.0)"),
                        "message": "kubelet has sufficient resources",
                    ]
                }),
                "addresses": [
                    ["type": "InternalIP", "address": .string("10.0.\(i / 250).\(i % 250)")],
                    ["type": "Hostname", "address": .string(name)],
                ],
                "nodeInfo": [
                    "machineID": .string(uuid(i)), "systemUUID": .string(uuid(i + 1)), "bootID": .string(uuid(i + 2)),
                    "kernelVersion": "6.1.109-118.189.amzn2023.x86_64", "osImage": "Amazon Linux 2023.5.20240916",
                    "containerRuntimeVersion": "containerd://1.7.22", "kubeletVersion": "v1.31.0-eks-a737599",
                    "kubeProxyVersion": "v1.31.0-eks-a737599", "operatingSystem": "linux", "architecture": "amd64",
                ],
                "images": .array((0..<10).map { j in
                    ["names": .array([.string("registry.example.com/image-\(j)@sha256:\(uuid(j))"), .string("registry.example.com/image-\(j):v\(j)")]), "sizeBytes": .int(Int64(10_000_000 * (j + 1)))]
                }),
            ],
        ]
    }

    public static func list(kind: String, items: [JSONValue]) -> JSONValue {
        ["apiVersion": "v1", "kind": .string(kind), "metadata": ["resourceVersion": "999999"], "items": .array(items)]
    }

    public static func uuid(_ i: Int) -> String {
        let hex = String(format: "%032x", UInt64(truncatingIfNeeded: i) &* 0x9E37_79B9_7F4A_7C15)
        let padded = String(repeating: "0", count: max(0, 32 - hex.count)) + hex
        let c = Array(padded.prefix(32))
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}
