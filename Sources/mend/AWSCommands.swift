import AWSClient
import ArgumentParser
import Foundation

/// `mend aws`: checks what the autoscaler would see in AWS, without changing anything.
struct AWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "Check AWS access: credential source, caller identity, discoverable node groups.",
        discussion: """
            Uses the standard AWS credential chain (environment, IRSA web identity, shared config \
            profile, container credentials / EKS Pod Identity, EC2 instance metadata) and the \
            standard region and endpoint settings (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL...). \
            Read-only: these commands only call Describe* APIs and sts:GetCallerIdentity.
            """,
        subcommands: [AWSWhoAmICommand.self, AWSGroupsCommand.self]
    )
}

/// Options shared by the `mend aws` commands.
struct AWSConnectionOptions: ParsableArguments {
    @Option(help: "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, then instance metadata).")
    var region: String?

    @Option(help: "Shared config profile (default: AWS_PROFILE, then 'default').")
    var profile: String?

    @Option(name: .customLong("endpoint-url"), help: "Send every AWS call to this URL (e.g. a local emulator).")
    var endpointURL: String?

    func connect() async throws -> AWS {
        var configuration = AWSConfiguration()
        configuration.region = region
        configuration.profile = profile
        if let endpointURL {
            for service in AWSServiceID.allCases { configuration.endpointOverrides[service] = endpointURL }
        }
        return try await AWS.connect(configuration)
    }
}

/// `mend aws whoami`: the credential source (never the secret), region and caller identity.
struct AWSWhoAmICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show which credentials were found (not the secret), the region and the caller identity."
    )

    @OptionGroup var connection: AWSConnectionOptions

    func run() async throws {
        let aws = try await connection.connect()
        print("Region:       \(aws.region) (from \(aws.regionSource.rawValue))")
        let credentials = try await aws.credentials.credentials()
        print("Credentials:  \(credentials.source)")
        print("Access key:   \(credentials.maskedAccessKeyID)\(credentials.sessionToken == nil ? "" : " (temporary)")")
        if let expiration = credentials.expiration {
            print("Expires:      \(ISO8601DateFormatter().string(from: expiration))")
        }
        let identity = try await aws.sts.getCallerIdentity()
        print("Account:      \(identity.account)")
        print("ARN:          \(identity.arn)")
        print("User id:      \(identity.userID)")
    }
}

/// `mend aws groups`: the Auto Scaling groups the autoscaler would discover.
struct AWSGroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "List the Auto Scaling groups cluster-autoscaler-style discovery would find.",
        discussion: """
            With --cluster NAME, groups tagged k8s.io/cluster-autoscaler/enabled and \
            k8s.io/cluster-autoscaler/NAME (any value), as cluster-autoscaler's \
            --node-group-auto-discovery=asg:tag=... does. --tag key=value (or just key) adds filters; \
            without --cluster or --tag, groups tagged k8s.io/cluster-autoscaler/enabled are listed.
            """
    )

    @OptionGroup var connection: AWSConnectionOptions

    @Option(help: "Cluster name: require the k8s.io/cluster-autoscaler/<cluster> tag.")
    var cluster: String?

    @Option(name: .customLong("tag"), help: "Extra tag filter, key=value or key (repeatable).")
    var tags: [String] = []

    /// The discovery filters these options describe.
    func filters() throws -> [AutoScalingGroupFilter] {
        if let cluster, cluster.isEmpty || cluster.contains("/") {
            throw ValidationError("--cluster '\(cluster)' must be a non-empty cluster name without '/'")
        }
        var filters = AutoScalingGroupFilter.clusterAutoscalerDiscovery(cluster: cluster)
        for tag in tags {
            let parts = tag.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let key = parts.first, !key.isEmpty else {
                throw ValidationError("--tag '\(tag)' must be key=value or key")
            }
            filters.append(parts.count == 2 ? .tag(key, parts[1]) : .tagKey(key))
        }
        return filters
    }

    func run() async throws {
        let filters = try filters()
        let aws = try await connection.connect()
        let groups = try await aws.autoScaling.describeAutoScalingGroups(DescribeAutoScalingGroupsInput(filters: filters))
            .sorted { $0.name < $1.name }
        let source = try await aws.credentialSource()
        print("Region \(aws.region), credentials from \(source); \(groups.count) group(s) match \(filters.map(Self.describe).joined(separator: " and ")).")
        guard !groups.isEmpty else { return }

        let typesByGroup = try await instanceTypes(of: groups, aws: aws)
        let catalogue = try await aws.ec2.describeInstanceTypes(Array(Set(typesByGroup.values.joined())).sorted())
        let shapes = Dictionary(uniqueKeysWithValues: catalogue.map { info -> (String, String) in
            let memory = Double(info.memoryMiB) / 1024
            let gpus = info.gpus > 0 ? ", \(info.gpus) GPU" : ""
            return (info.instanceType, "\(info.instanceType) (\(info.vCPUs) vCPU, \(memory.formatted(.number.precision(.fractionLength(0...1)))) GiB\(gpus))")
        })
        let rows = groups.map { group -> [String] in
            let types = (typesByGroup[group.name] ?? []).map { shapes[$0] ?? $0 }
            return [group.name, String(group.minSize), String(group.desiredCapacity), String(group.maxSize),
                    String(group.instances.count), types.isEmpty ? "?" : types.joined(separator: ", ")]
        }
        printTable(header: ["GROUP", "MIN", "DESIRED", "MAX", "INSTANCES", "INSTANCE TYPES"], rows: rows)
    }

    private static func describe(_ filter: AutoScalingGroupFilter) -> String {
        filter.name == "tag-key" ? "tag \(filter.values.joined(separator: "|"))" : "\(filter.name.replacingOccurrences(of: "tag:", with: "tag "))=\(filter.values.joined(separator: "|"))"
    }

    /// Instance types per group: mixed-policy overrides, else the launch template version's type,
    /// else the launch configuration's type.
    private func instanceTypes(of groups: [AutoScalingGroup], aws: AWS) async throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        var templateTypes: [LaunchTemplateReference: String?] = [:]
        var configurationTypes: [String: String] = [:]
        let configurationNames = Set(groups.compactMap(\.launchConfigurationName))
        if !configurationNames.isEmpty {
            for configuration in try await aws.autoScaling.describeLaunchConfigurations(names: configurationNames.sorted()) {
                configurationTypes[configuration.name] = configuration.instanceType
            }
        }
        for group in groups {
            if !group.overrideInstanceTypes.isEmpty {
                result[group.name] = group.overrideInstanceTypes
            } else if let template = group.launchTemplate ?? group.mixedInstancesPolicy?.launchTemplate {
                let version = template.version ?? "$Default"
                let key = LaunchTemplateReference(id: template.id, name: template.id == nil ? template.name : nil, version: version)
                if templateTypes[key] == nil {
                    let versions = try await aws.ec2.describeLaunchTemplateVersions(key, versions: [version])
                    templateTypes[key] = versions.first?.data.instanceType
                }
                result[group.name] = (templateTypes[key] ?? nil).map { [$0] } ?? []
            } else if let name = group.launchConfigurationName, let type = configurationTypes[name] {
                result[group.name] = [type]
            }
        }
        return result
    }

    private func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            print(cells.joined(separator: "  "))
        }
    }
}
