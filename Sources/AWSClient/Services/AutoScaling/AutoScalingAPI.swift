/// The Auto Scaling calls the autoscaler makes. Paging is handled inside: list calls return
/// every page.
public protocol AutoScalingAPI: Sendable {
    /// Groups matching `input`, every page.
    func describeAutoScalingGroups(_ input: DescribeAutoScalingGroupsInput) async throws -> [AutoScalingGroup]

    /// Sets a group's desired capacity. The value is checked against the group's current
    /// MinSize/MaxSize first and never sent when outside them
    /// (``AWSClientError/desiredCapacityOutOfRange(group:requested:minSize:maxSize:)``).
    func setDesiredCapacity(groupName: String, desiredCapacity: Int, honorCooldown: Bool) async throws

    /// Terminates one instance of its group, optionally lowering the desired capacity by one.
    /// Returns the scaling activity AWS started.
    func terminateInstanceInAutoScalingGroup(instanceID: String, shouldDecrementDesiredCapacity: Bool) async throws -> ScalingActivity?

    /// Which group each instance belongs to (instances in no group are left out).
    func describeAutoScalingInstances(instanceIDs: [String]) async throws -> [AutoScalingInstanceDetails]

    /// A group's scaling activities, newest first, at most `limit` of them.
    func describeScalingActivities(groupName: String, limit: Int) async throws -> [ScalingActivity]

    /// Launch configurations by name (empty: all), every page.
    func describeLaunchConfigurations(names: [String]) async throws -> [LaunchConfiguration]
}
