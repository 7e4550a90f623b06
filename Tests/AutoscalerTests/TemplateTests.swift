import Autoscaler
import KubeModels
import Scheduling
import Testing

@Suite("Node templates")
struct TemplateTests {
    @Test func nodeTemplateTagsGiveLabelsTaintsAndResources() throws {
        let tags = try NodeTemplateTags(tags: [
            "k8s.io/cluster-autoscaler/node-template/label/team": "ml",
            "k8s.io/cluster-autoscaler/node-template/taint/gpu": "true:NoSchedule",
            "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "4",
            "Name": "ignored",
        ])
        #expect(tags.labels == ["team": "ml"])
        #expect(tags.taints == [Taint(key: "gpu", value: "true", effect: .noSchedule)])
        #expect(tags.resources["nvidia.com/gpu"] == Quantity(4))
    }

    @Test func malformedTaintTagIsRejectedWithTheTagName() {
        #expect(throws: NodeTemplateTagError.badTaint(tag: NodeTemplateTags.prefix + "taint/x", value: "true:Sometimes")) {
            try NodeTemplateTags(tags: [NodeTemplateTags.prefix + "taint/x": "true:Sometimes"])
        }
        #expect(throws: NodeTemplateTagError.badQuantity(tag: NodeTemplateTags.prefix + "resources/cpu", value: "lots")) {
            try NodeTemplateTags(tags: [NodeTemplateTags.prefix + "resources/cpu": "lots"])
        }
    }

    @Test func mixedInstancesPlanForTheSmallestOfEveryResource() throws {
        let source = TemplateSource(instanceTypes: [
            InstanceShape(name: "c5.xlarge", vCPUs: 4, memoryMiB: 8192, maxPods: 58),
            InstanceShape(name: "m5.large", vCPUs: 2, memoryMiB: 8192, maxPods: 29),
            InstanceShape(name: "r5.large", vCPUs: 2, memoryMiB: 16384, maxPods: 29),
        ])
        let template = try #require(NodeTemplate.fromSource(source, group: "mixed", reserved: .none))
        #expect(template.node.allocatable.milliCPU == 2000)
        #expect(template.node.allocatable.memory == 8192 << 20)
        #expect(template.node.allocatable.pods == 29)
        // Types differ, so no instance-type label a pod could select on wrongly.
        #expect(template.node.labels[NodeLabels.instanceType] == nil)
    }

    @Test func eksReservationIsSubtractedFromInstanceCapacity() throws {
        let source = TemplateSource(instanceTypes: [InstanceShape(name: "m5.large", vCPUs: 2, memoryMiB: 8192, maxPods: 29)])
        let template = try #require(NodeTemplate.fromSource(source, group: "g"))
        // CPU: 60m of the first core + 10m of the second; memory: 255 + 11 × 29 + 100 MiB.
        #expect(template.node.allocatable.milliCPU == 1930)
        #expect(template.node.allocatable.memory == (8192 - 674) << 20)
        #expect(template.node.labels[NodeLabels.instanceType] == "m5.large")
    }

    @Test func scaleFromZeroTemplateCarriesTagLabelsAndTaints() throws {
        let tags = NodeTemplateTags(
            labels: ["pool": "gpu"], taints: [Taint(key: "gpu", effect: .noSchedule)], resources: ["nvidia.com/gpu": 1])
        let source = TemplateSource(
            instanceTypes: [InstanceShape(name: "g4dn.xlarge", vCPUs: 4, memoryMiB: 16384)], tags: tags)
        let template = try #require(NodeTemplate.fromSource(source, group: "gpu", reserved: .none))
        #expect(template.node.labels["pool"] == "gpu")
        #expect(template.node.blockingTaints.map(\.key) == ["gpu"])
        #expect(template.node.allocatable[scalar: "nvidia.com/gpu"] == 1)
        #expect(template.node.allocatable.pods == ReservedResources.defaultMaxPods)
    }

    @Test func groupWithoutTypesOrCapacityTagsHasNoTemplate() {
        #expect(NodeTemplate.fromSource(TemplateSource(), group: "empty") == nil)
    }

    @Test func liveNodeTemplateDropsTransientTaintsAndKeepsDaemonSetOverhead() {
        let node = Fixture.node(
            "n1", group: "g", cpu: 2000,
            taints: [
                Taint(key: NodeTaints.unschedulable, effect: .noSchedule),
                Taint(key: "dedicated", value: "batch", effect: .noSchedule),
            ])
        let ds = SchedulingPod(
            namespace: "kube-system", name: "ds", requests: Fixture.resources(cpu: 100),
            tolerations: [Toleration(operator: .exists)])
        let template = NodeTemplate.fromLiveNode(node, group: "g", daemonSetPods: [ds])
        #expect(template.node.blockingTaints.map(\.key) == ["dedicated"])
        #expect(template.node.labels[NodeLabels.hostname] == "template-g")
        #expect(template.workloadAllocatable.milliCPU == 1900)
    }

    @Test func providerIDParsesTheAWSForms() {
        #expect(ProviderID(parsing: "aws:///us-east-1a/i-0abc") == ProviderID(zone: "us-east-1a", instanceID: "i-0abc"))
        #expect(ProviderID(parsing: "aws:///i-0abc")?.instanceID == "i-0abc")
        #expect(ProviderID(parsing: "gce://project/zone/name") == nil)
        #expect(ProviderID(parsing: "aws:///us-east-1a/not-an-instance") == nil)
    }
}
