import Foundation

/// What the autoscaler needs to know about an instance type to build a node template.
public struct InstanceTypeInfo: Sendable, Equatable {
    /// `m5.large`.
    public var instanceType: String
    /// Default vCPUs.
    public var vCPUs: Int
    /// Memory in MiB.
    public var memoryMiB: Int
    /// GPUs (the sum of all GPU devices' counts; 0 without GPUs).
    public var gpus: Int
    /// GPU manufacturer and model, e.g. `NVIDIA T4`, when there are GPUs.
    public var gpuModel: String?
    /// The most network interfaces an instance can have.
    public var maximumNetworkInterfaces: Int
    /// IPv4 addresses per interface (VPC CNI max pods = ENIs * (IPs - 1) + 2).
    public var ipv4AddressesPerInterface: Int
    /// `x86_64`, `arm64`, ...
    public var architectures: [String]
    /// `on-demand`, `spot`.
    public var supportedUsageClasses: [String]
}

/// An EC2 filter (`Filter.N.Name`, `Filter.N.Value.M`).
public struct EC2Filter: Sendable, Equatable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// A tag on an EC2 resource.
public struct EC2Tag: Sendable, Equatable {
    public var key: String
    public var value: String
}

/// The parts of a launch template version the autoscaler reads for scale-from-zero templates.
public struct LaunchTemplateData: Sendable, Equatable {
    public var instanceType: String?
    public var imageID: String?
    /// Instance tags from the template's tag specifications.
    public var instanceTags: [EC2Tag]
}

/// One version of a launch template.
public struct LaunchTemplateVersion: Sendable, Equatable {
    public var launchTemplateID: String
    public var launchTemplateName: String
    public var versionNumber: Int
    public var isDefaultVersion: Bool
    public var data: LaunchTemplateData
}

/// An EC2 instance.
public struct EC2Instance: Sendable, Equatable {
    public var instanceID: String
    public var instanceType: String
    /// `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`.
    public var state: String
    public var availabilityZone: String?
    public var privateDNSName: String?
    public var privateIPAddress: String?
    public var launchTime: Date?
    public var tags: [EC2Tag]
}
