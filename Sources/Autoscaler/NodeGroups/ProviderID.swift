/// A node's `spec.providerID` on AWS: `aws:///<availability-zone>/<instance-id>`.
public struct ProviderID: Sendable, Hashable, CustomStringConvertible {
    /// The availability zone (may be empty).
    public var zone: String
    /// The EC2 instance id.
    public var instanceID: String

    /// A provider id from its parts.
    public init(zone: String, instanceID: String) {
        self.zone = zone
        self.instanceID = instanceID
    }

    /// Parses `aws:///us-east-1a/i-0123` (also `aws://us-east-1a/i-0123` and `aws:///i-0123`);
    /// nil for anything else.
    public init?(parsing text: String) {
        guard text.hasPrefix("aws://") else { return nil }
        let rest = text.dropFirst("aws://".count).split(separator: "/", omittingEmptySubsequences: true)
        guard let last = rest.last, last.hasPrefix("i-"), rest.count <= 2 else { return nil }
        instanceID = String(last)
        zone = rest.count == 2 ? String(rest[0]) : ""
    }

    /// `aws:///<zone>/<instance-id>`.
    public var description: String { "aws:///\(zone)/\(instanceID)" }
}
