/// The EC2 calls the autoscaler makes. Paging and batching are handled inside.
public protocol EC2API: Sendable {
    /// Details of the named instance types (batched 100 per call).
    func describeInstanceTypes(_ instanceTypes: [String]) async throws -> [InstanceTypeInfo]

    /// Versions of a launch template given by id or name; `versions` may hold numbers,
    /// `$Latest` or `$Default` (empty: all versions).
    func describeLaunchTemplateVersions(_ template: LaunchTemplateReference, versions: [String]) async throws -> [LaunchTemplateVersion]

    /// Instances by id and/or filters (every page).
    func describeInstances(instanceIDs: [String], filters: [EC2Filter]) async throws -> [EC2Instance]
}
