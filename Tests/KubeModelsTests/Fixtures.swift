import Foundation

/// Objects as `kubectl get -o json` prints them (hand-written for these tests).
enum Fixtures {
    static let node = """
        {
          "apiVersion": "v1",
          "kind": "Node",
          "metadata": {
            "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
            "creationTimestamp": "2024-05-01T10:00:00Z",
            "labels": {
              "beta.kubernetes.io/arch": "amd64",
              "kubernetes.io/hostname": "ip-10-0-1-23.ec2.internal",
              "node.kubernetes.io/instance-type": "m5.large",
              "topology.kubernetes.io/zone": "us-east-1a",
              "eks.amazonaws.com/nodegroup": "general"
            },
            "name": "ip-10-0-1-23.ec2.internal",
            "resourceVersion": "123456",
            "uid": "5c1a3c52-2f1e-4b5e-9f51-2a0e2a9d6b11"
          },
          "spec": {
            "podCIDR": "10.0.1.0/24",
            "podCIDRs": ["10.0.1.0/24"],
            "providerID": "aws:///us-east-1a/i-0123456789abcdef0",
            "taints": [
              {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "timeAdded": "2024-05-02T08:00:00Z"},
              {"effect": "NoExecute", "key": "dedicated", "value": "batch"}
            ],
            "unschedulable": true
          },
          "status": {
            "addresses": [
              {"address": "10.0.1.23", "type": "InternalIP"},
              {"address": "ip-10-0-1-23.ec2.internal", "type": "Hostname"}
            ],
            "allocatable": {"cpu": "1930m", "ephemeral-storage": "18242267924", "hugepages-2Mi": "0", "memory": "7220184Ki", "pods": "29"},
            "capacity": {"cpu": "2", "ephemeral-storage": "20959212Ki", "hugepages-2Mi": "0", "memory": "8047576Ki", "pods": "29"},
            "conditions": [
              {"lastHeartbeatTime": "2024-05-02T08:10:00Z", "lastTransitionTime": "2024-05-01T10:01:00Z", "message": "kubelet has sufficient memory available", "reason": "KubeletHasSufficientMemory", "status": "False", "type": "MemoryPressure"},
              {"lastHeartbeatTime": "2024-05-02T08:10:00Z", "lastTransitionTime": "2024-05-02T08:05:00Z", "message": "kernel: INFO: task docker:20744 blocked for more than 120 seconds.", "reason": "DockerHung", "status": "True", "type": "KernelDeadlock"},
              {"lastHeartbeatTime": "2024-05-02T08:10:00Z", "lastTransitionTime": "2024-05-01T10:01:30Z", "message": "kubelet is posting ready status", "reason": "KubeletReady", "status": "True", "type": "Ready"}
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
              "architecture": "amd64", "bootID": "b1d2", "containerRuntimeVersion": "containerd://1.7.11",
              "kernelVersion": "5.10.210-201.852.amzn2.x86_64", "kubeProxyVersion": "v1.29.0-eks-5e0fdde",
              "kubeletVersion": "v1.29.0-eks-5e0fdde", "machineID": "ec2abc", "operatingSystem": "linux",
              "osImage": "Amazon Linux 2", "systemUUID": "ec2abc-uuid"
            }
          }
        }
        """

    /// A terminating mirror pod of a DaemonSet with limits only.
    static let mirrorDaemonPod = """
        {"metadata":{"name":"kube-proxy-abc","namespace":"kube-system","uid":"u",
          "annotations":{"kubernetes.io/config.mirror":"hash"},
          "deletionTimestamp":"2024-05-02T08:00:00Z",
          "ownerReferences":[{"apiVersion":"apps/v1","kind":"DaemonSet","name":"kube-proxy","uid":"d","controller":true}]},
         "spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"1"}}}]},
         "status":{"phase":"Succeeded"}}
        """

    static let pod = """
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "annotations": {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false", "prometheus.io/scrape": "true"},
            "creationTimestamp": "2024-05-01T10:05:00Z",
            "generateName": "web-7d9f8b6c4-",
            "labels": {"app": "web", "pod-template-hash": "7d9f8b6c4"},
            "name": "web-7d9f8b6c4-x2x9k",
            "namespace": "shop",
            "ownerReferences": [
              {"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": "ReplicaSet", "name": "web-7d9f8b6c4", "uid": "0f7c1f9e-aaaa-bbbb-cccc-000000000001"}
            ],
            "resourceVersion": "98765",
            "uid": "8e7d6c5b-1111-2222-3333-444455556666"
          },
          "spec": {
            "affinity": {
              "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                  "nodeSelectorTerms": [{"matchExpressions": [{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["m5.large", "m5.xlarge"]}]}]
                },
                "preferredDuringSchedulingIgnoredDuringExecution": [
                  {"preference": {"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["us-east-1a"]}]}, "weight": 10}
                ]
              },
              "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                  {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}
                ]
              }
            },
            "containers": [
              {
                "env": [{"name": "MODE", "value": "prod"}],
                "image": "registry.example.com/web:1.4.2",
                "imagePullPolicy": "IfNotPresent",
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "periodSeconds": 10},
                "name": "web",
                "ports": [{"containerPort": 8080, "hostPort": 8080, "name": "http", "protocol": "TCP"}],
                "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "volumeMounts": [{"mountPath": "/cache", "name": "cache"}]
              }
            ],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": true,
            "initContainers": [
              {"image": "busybox:1.36", "name": "migrate", "resources": {"requests": {"cpu": "500m", "memory": "64Mi"}}},
              {"image": "envoy:1.29", "name": "proxy", "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}, "restartPolicy": "Always"}
            ],
            "nodeName": "ip-10-0-1-23.ec2.internal",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "overhead": {"cpu": "10m"},
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 1000,
            "priorityClassName": "shop-high",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "serviceAccount": "web",
            "serviceAccountName": "web",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
              {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
              {"effect": "NoSchedule", "key": "dedicated", "operator": "Equal", "value": "web"}
            ],
            "volumes": [
              {"emptyDir": {"sizeLimit": "1Gi"}, "name": "cache"},
              {"configMap": {"defaultMode": 420, "name": "web-config"}, "name": "config"},
              {"name": "kube-api-access-abcde", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}},
              {"csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": true}, "name": "secrets"}
            ]
          },
          "status": {
            "conditions": [
              {"lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:05:10Z", "status": "True", "type": "Initialized"},
              {"lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:05:20Z", "status": "True", "type": "Ready"},
              {"lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:05:01Z", "status": "True", "type": "PodScheduled"}
            ],
            "containerStatuses": [
              {"containerID": "containerd://abc", "image": "registry.example.com/web:1.4.2", "imageID": "registry.example.com/web@sha256:1234", "lastState": {}, "name": "web", "ready": true, "restartCount": 2, "started": true, "state": {"running": {"startedAt": "2024-05-01T10:05:15Z"}}}
            ],
            "hostIP": "10.0.1.23",
            "phase": "Running",
            "podIP": "10.0.1.57",
            "podIPs": [{"ip": "10.0.1.57"}],
            "qosClass": "Burstable",
            "startTime": "2024-05-01T10:05:01Z"
          }
        }
        """

    static let pdb = """
        {
          "apiVersion": "policy/v1",
          "kind": "PodDisruptionBudget",
          "metadata": {"creationTimestamp": "2024-05-01T09:00:00Z", "generation": 1, "name": "web", "namespace": "shop", "resourceVersion": "555", "uid": "pdb-uid-1"},
          "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}, "unhealthyPodEvictionPolicy": "AlwaysAllow"},
          "status": {
            "conditions": [{"lastTransitionTime": "2024-05-01T10:06:00Z", "message": "", "observedGeneration": 1, "reason": "SufficientPods", "status": "True", "type": "DisruptionAllowed"}],
            "currentHealthy": 3, "desiredHealthy": 2, "disruptedPods": {"web-7d9f8b6c4-aaaaa": "2024-05-02T08:11:00Z"},
            "disruptionsAllowed": 1, "expectedPods": 3, "observedGeneration": 1
          }
        }
        """

    static let coreEvent = """
        {
          "apiVersion": "v1",
          "kind": "Event",
          "count": 3,
          "firstTimestamp": "2024-05-02T08:05:00Z",
          "involvedObject": {"kind": "Node", "name": "ip-10-0-1-23.ec2.internal", "uid": "ip-10-0-1-23.ec2.internal"},
          "lastTimestamp": "2024-05-02T08:09:00Z",
          "message": "kernel: INFO: task docker:20744 blocked for more than 120 seconds.",
          "metadata": {"creationTimestamp": "2024-05-02T08:05:00Z", "name": "ip-10-0-1-23.ec2.internal.17c9a1b2c3d4e5f6", "namespace": "default", "resourceVersion": "777", "uid": "ev-1"},
          "reason": "DockerHung",
          "reportingComponent": "mend-detector",
          "reportingInstance": "ip-10-0-1-23.ec2.internal",
          "source": {"component": "mend-detector", "host": "ip-10-0-1-23.ec2.internal"},
          "type": "Warning"
        }
        """

    static let eventsV1Event = """
        {
          "action": "Drain",
          "apiVersion": "events.k8s.io/v1",
          "eventTime": "2024-05-02T08:11:00.123456Z",
          "kind": "Event",
          "metadata": {"name": "ip-10-0-1-23.ec2.internal.17c9a1b2c3d4e5f7", "namespace": "default", "resourceVersion": "778", "uid": "ev-2"},
          "note": "Draining node: condition KernelDeadlock=True for 10m",
          "reason": "DrainStarted",
          "regarding": {"apiVersion": "v1", "kind": "Node", "name": "ip-10-0-1-23.ec2.internal"},
          "reportingController": "mend.dev/drainer",
          "reportingInstance": "mend-drainer-5f7c9-abcde",
          "series": {"count": 2, "lastObservedTime": "2024-05-02T08:12:00.000500Z"},
          "type": "Normal"
        }
        """

    static let lease = """
        {
          "apiVersion": "coordination.k8s.io/v1",
          "kind": "Lease",
          "metadata": {"name": "mend-drainer", "namespace": "kube-system", "resourceVersion": "9001", "uid": "lease-1"},
          "spec": {"acquireTime": "2024-05-02T08:00:00.000000Z", "holderIdentity": "mend-drainer-5f7c9-abcde", "leaseDurationSeconds": 15, "leaseTransitions": 4, "renewTime": "2024-05-02T08:12:30.654321Z"}
        }
        """

    static let daemonSet = """
        {
          "apiVersion": "apps/v1",
          "kind": "DaemonSet",
          "metadata": {"generation": 2, "name": "mend-detector", "namespace": "kube-system", "uid": "ds-1"},
          "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "mend-detector"}},
            "template": {"metadata": {"labels": {"app": "mend-detector"}}, "spec": {"containers": [{"image": "mend:1", "name": "detector"}], "tolerations": [{"operator": "Exists"}]}},
            "updateStrategy": {"rollingUpdate": {"maxUnavailable": 1}, "type": "RollingUpdate"}
          },
          "status": {"currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberAvailable": 3, "numberMisscheduled": 0, "numberReady": 3, "observedGeneration": 2, "updatedNumberScheduled": 3}
        }
        """
}
