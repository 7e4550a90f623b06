import KubeModels

/// Realistically sized objects: a pod as a Deployment makes it on EKS (labels, owner,
/// one container with requests, limits, env, mounts and probes, a projected token volume,
/// status with conditions and container status), a node with labels, capacity and conditions.
enum BenchmarkObjects {
    static func node(name: String, index: Int) -> JSONValue {
        let resources: JSONValue = ["cpu": "4", "memory": "16Gi", "pods": "58", "ephemeral-storage": "80Gi"]
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name),
                "labels": [
                    "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "node.kubernetes.io/instance-type": "m5.xlarge", "topology.kubernetes.io/zone": "us-east-1a",
                    "topology.kubernetes.io/region": "us-east-1", "eks.amazonaws.com/nodegroup": "general",
                ],
            ],
            "spec": ["providerID": .string("aws:///us-east-1a/i-\(String(index, radix: 16))")],
            "status": [
                "capacity": resources, "allocatable": resources,
                "conditions": [
                    ["type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory",
                     "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"],
                    ["type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure",
                     "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"],
                    ["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                     "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"],
                ],
                "addresses": [["type": "InternalIP", "address": "10.0.0.1"], ["type": "Hostname", "address": .string(name)]],
                "nodeInfo": ["kubeletVersion": "v1.32.0", "containerRuntimeVersion": "containerd://1.7.22",
                             "osImage": "Amazon Linux 2023", "kernelVersion": "6.1.0", "architecture": "amd64",
                             "operatingSystem": "linux"],
            ],
        ]
    }

    static func pod(index: Int, node: String) -> JSONValue {
        let app = "app-\(index % 500)"
        let name = "\(app)-7d9f8c6b5-\(String(index, radix: 36))"
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name),
                "generateName": .string("\(app)-7d9f8c6b5-"),
                "labels": ["app.kubernetes.io/name": .string(app), "pod-template-hash": "7d9f8c6b5"],
                "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string("\(app)-7d9f8c6b5"),
                                     "uid": "2f6c1a52-0d0b-4f57-9c55-3f1f0e7c1b2a", "controller": true,
                                     "blockOwnerDeletion": true]],
            ],
            "spec": [
                "nodeName": .string(node),
                "serviceAccountName": "default",
                "containers": [[
                    "name": "main", "image": .string("123456789012.dkr.ecr.us-east-1.amazonaws.com/\(app):1.4.2"),
                    "ports": [["containerPort": 8080, "name": "http", "protocol": "TCP"]],
                    "env": [["name": "LOG_LEVEL", "value": "info"], ["name": "PORT", "value": "8080"]],
                    "resources": ["requests": ["cpu": "100m", "memory": "128Mi"], "limits": ["memory": "256Mi"]],
                    "readinessProbe": ["httpGet": ["path": "/healthz", "port": 8080], "periodSeconds": 10],
                    "volumeMounts": [["name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                      "readOnly": true]],
                ]],
                "volumes": [["name": "kube-api-access", "projected": ["defaultMode": 420, "sources": [
                    ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
                ]]]],
                "tolerations": [
                    ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                    ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                ],
            ],
            "status": [
                "phase": "Running", "qosClass": "Burstable",
                "hostIP": "10.0.0.1", "podIP": .string("10.1.\(index / 256 % 256).\(index % 256)"),
                "startTime": "2026-01-01T00:00:00Z",
                "conditions": [
                    ["type": "Initialized", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"],
                    ["type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:05Z"],
                    ["type": "ContainersReady", "status": "True", "lastTransitionTime": "2026-01-01T00:00:05Z"],
                    ["type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"],
                ],
                "containerStatuses": [[
                    "name": "main", "ready": true, "started": true, "restartCount": 0,
                    "image": .string("123456789012.dkr.ecr.us-east-1.amazonaws.com/\(app):1.4.2"),
                    "containerID": "containerd://4b3c2d1e0f",
                    "state": ["running": ["startedAt": "2026-01-01T00:00:03Z"]],
                ]],
            ],
        ]
    }
}
