import Autoscaler
import KubeModels
import Testing

@Suite("Expanders")
struct ExpanderTests {
    static func option(_ group: String, nodes: Int, pods: Int, cpu: Int64, allocCPU: Int64, type: String? = nil)
        -> ScaleUpOption
    {
        ScaleUpOption(
            group: group, nodeCount: nodes, pods: (0..<pods).map { "default/p\($0)" },
            requested: ResourceVector(milliCPU: cpu, memory: 1 << 30),
            allocatable: ResourceVector(milliCPU: allocCPU, memory: 1 << 30), instanceType: type)
    }

    let snug = Self.option("b-snug", nodes: 1, pods: 4, cpu: 900, allocCPU: 1000, type: "m5.large")
    let roomy = Self.option("a-roomy", nodes: 1, pods: 5, cpu: 900, allocCPU: 4000, type: "m5.2xlarge")

    @Test func leastWastePicksTheTighterFit() {
        #expect(Expander.choose([roomy, snug], chain: [.leastWaste])?.group == "b-snug")
    }

    @Test func mostPodsPicksTheOptionSchedulingMore() {
        #expect(Expander.choose([snug, roomy], chain: [.mostPods])?.group == "a-roomy")
    }

    @Test func tiesAreBrokenByGroupNameWhateverTheInputOrder() {
        let twin = Self.option("a-twin", nodes: 1, pods: 4, cpu: 900, allocCPU: 1000)
        #expect(Expander.choose([snug, twin], chain: [.leastWaste])?.group == "a-twin")
        #expect(Expander.choose([twin, snug], chain: [.leastWaste])?.group == "a-twin")
    }

    @Test func randomIsRepeatableForOneSeed() {
        let options = (0..<8).map { Self.option("g\($0)", nodes: 1, pods: 1, cpu: 1, allocCPU: 1000) }
        let first = Expander.choose(options, chain: [.random(seed: 42)])
        #expect(Expander.choose(options.reversed(), chain: [.random(seed: 42)]) == first)
    }

    @Test func priorityTableFromTheClusterAutoscalerConfigMapFormat() throws {
        let table = try PriorityTable(yaml: "10:\n  - .*\n50:\n  - ^b-.*\n")
        #expect(table.priority(of: "b-snug") == 50)
        #expect(table.priority(of: "a-roomy") == 10)
        #expect(Expander.choose([roomy, snug], chain: [.priority(table), .leastWaste])?.group == "b-snug")
    }

    @Test func priorityTableWithBadRegexNamesTheEntry() {
        #expect(throws: PriorityTableError.self) { try PriorityTable(yaml: "10:\n  - '(unclosed'\n") }
        #expect(throws: PriorityTableError.badPriority("high")) { try PriorityTable(yaml: "high:\n  - .*\n") }
    }

    @Test func priceExpanderPrefersTheCheapestPerScheduledPod() {
        let prices = PriceTable(byInstanceType: ["m5.large": 0.096, "m5.2xlarge": 0.384])
        // snug: 0.096 / 4 pods = 0.024; roomy: 0.384 / 5 = 0.077.
        #expect(Expander.choose([roomy, snug], chain: [.price(prices)])?.group == "b-snug")
        let groupPrice = PriceTable(byGroup: ["a-roomy": 0.01], byInstanceType: prices.byInstanceType)
        #expect(Expander.choose([roomy, snug], chain: [.price(groupPrice)])?.group == "a-roomy")
    }
}
