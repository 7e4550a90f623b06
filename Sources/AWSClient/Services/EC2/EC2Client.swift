import Foundation

/// ``EC2API`` over the EC2 Query protocol (API version 2016-11-15; lists are `Name.N`, answers
/// use `item` elements and lower-camel names).
public struct EC2Client: EC2API {
    let engine: QueryEngine

    init(engine: QueryEngine) { self.engine = engine }

    public func describeInstanceTypes(_ instanceTypes: [String]) async throws -> [InstanceTypeInfo] {
        var seen: Set<String> = []
        let unique = instanceTypes.filter { seen.insert($0).inserted }
        for type in unique where !type.contains(".") {
            throw AWSClientError.invalidInput(operation: "DescribeInstanceTypes", field: "InstanceType", value: type, expected: "an instance type like m5.large")
        }
        guard !unique.isEmpty else { return [] }
        var infos: [InstanceTypeInfo] = []
        for start in stride(from: 0, to: unique.count, by: 100) {
            var parameters = QueryParameters()
            parameters.ec2List("InstanceType", Array(unique[start..<min(start + 100, unique.count)]))
            try await engine.paginate("DescribeInstanceTypes", parameters, tokenElement: "nextToken") { result in
                infos += try result.list("instanceTypeSet", item: "item").map(Self.decodeInstanceType)
            }
        }
        return infos
    }

    public func describeLaunchTemplateVersions(_ template: LaunchTemplateReference, versions: [String]) async throws -> [LaunchTemplateVersion] {
        guard template.id != nil || template.name != nil else {
            throw AWSClientError.invalidInput(operation: "DescribeLaunchTemplateVersions", field: "LaunchTemplate", value: "neither id nor name", expected: "a launch template id or name")
        }
        var parameters = QueryParameters()
        if let id = template.id { parameters.set("LaunchTemplateId", id) } else { parameters.set("LaunchTemplateName", template.name) }
        parameters.ec2List("LaunchTemplateVersion", versions)
        var result: [LaunchTemplateVersion] = []
        try await engine.paginate("DescribeLaunchTemplateVersions", parameters, tokenElement: "nextToken") { page in
            result += try page.list("launchTemplateVersionSet", item: "item").map(Self.decodeLaunchTemplateVersion)
        }
        return result
    }

    public func describeInstances(instanceIDs: [String], filters: [EC2Filter]) async throws -> [EC2Instance] {
        for id in instanceIDs { try AutoScalingClient.validateInstanceID(id, operation: "DescribeInstances") }
        var parameters = QueryParameters()
        parameters.ec2List("InstanceId", instanceIDs)
        for (index, filter) in filters.enumerated() {
            parameters.set("Filter.\(index + 1).Name", filter.name)
            parameters.ec2List("Filter.\(index + 1).Value", filter.values)
        }
        var instances: [EC2Instance] = []
        try await engine.paginate("DescribeInstances", parameters, tokenElement: "nextToken") { page in
            for reservation in page.list("reservationSet", item: "item") {
                instances += try reservation.list("instancesSet", item: "item").map(Self.decodeInstance)
            }
        }
        return instances
    }

    // MARK: Decoding

    static func required(_ node: XMLNode, _ path: String, _ operation: String) throws -> String {
        guard let value = node.string(path) else {
            throw AWSClientError.malformedResponse(service: "ec2", operation: operation, detail: "\(node.name) has no \(path)")
        }
        return value
    }

    static func decodeInstanceType(_ node: XMLNode) throws -> InstanceTypeInfo {
        let operation = "DescribeInstanceTypes"
        let name = try required(node, "instanceType", operation)
        guard let vCPUs = node.int("vCpuInfo/defaultVCpus"), let memory = node.int("memoryInfo/sizeInMiB") else {
            throw AWSClientError.malformedResponse(service: "ec2", operation: operation, detail: "\(name) has no vCpuInfo/defaultVCpus or memoryInfo/sizeInMiB")
        }
        let gpuItems = node.list("gpuInfo/gpus", item: "item")
        let gpuModel = gpuItems.first.map { [$0.string("manufacturer"), $0.string("name")].compactMap { $0 }.joined(separator: " ") }
        return InstanceTypeInfo(
            instanceType: name,
            vCPUs: vCPUs,
            memoryMiB: memory,
            gpus: gpuItems.reduce(0) { $0 + ($1.int("count") ?? 0) },
            gpuModel: gpuModel,
            maximumNetworkInterfaces: node.int("networkInfo/maximumNetworkInterfaces") ?? 0,
            ipv4AddressesPerInterface: node.int("networkInfo/ipv4AddressesPerInterface") ?? 0,
            architectures: node.list("processorInfo/supportedArchitectures", item: "item").map { $0.text },
            supportedUsageClasses: node.list("supportedUsageClasses", item: "item").map { $0.text }
        )
    }

    static func decodeLaunchTemplateVersion(_ node: XMLNode) throws -> LaunchTemplateVersion {
        let operation = "DescribeLaunchTemplateVersions"
        let data = node.child("launchTemplateData")
        var tags: [EC2Tag] = []
        for specification in data?.list("tagSpecificationSet", item: "item") ?? [] where specification.string("resourceType") == "instance" {
            tags += specification.list("tagSet", item: "item").map { EC2Tag(key: $0.string("key") ?? "", value: $0.string("value") ?? "") }
        }
        guard let version = node.int("versionNumber") else {
            throw AWSClientError.malformedResponse(service: "ec2", operation: operation, detail: "launch template version has no versionNumber")
        }
        return LaunchTemplateVersion(
            launchTemplateID: try required(node, "launchTemplateId", operation),
            launchTemplateName: node.string("launchTemplateName") ?? "",
            versionNumber: version,
            isDefaultVersion: node.bool("defaultVersion") ?? false,
            data: LaunchTemplateData(instanceType: data?.string("instanceType"), imageID: data?.string("imageId"), instanceTags: tags)
        )
    }

    static func decodeInstance(_ node: XMLNode) throws -> EC2Instance {
        let operation = "DescribeInstances"
        return EC2Instance(
            instanceID: try required(node, "instanceId", operation),
            instanceType: node.string("instanceType") ?? "",
            state: node.string("instanceState/name") ?? "",
            availabilityZone: node.string("placement/availabilityZone"),
            privateDNSName: node.string("privateDnsName").flatMap { $0.isEmpty ? nil : $0 },
            privateIPAddress: node.string("privateIpAddress"),
            launchTime: node.date("launchTime"),
            tags: node.list("tagSet", item: "item").map { EC2Tag(key: $0.string("key") ?? "", value: $0.string("value") ?? "") }
        )
    }
}
