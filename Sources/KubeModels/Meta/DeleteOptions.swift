/// `metav1.DeleteOptions`: the body of a DELETE request and of an Eviction's `deleteOptions`.
public struct DeleteOptions: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    /// Seconds before the object is deleted; 0 means immediately, nil the object's default.
    public var gracePeriodSeconds: Int64?
    /// Conditions that must hold for the delete to proceed (optimistic concurrency).
    public var preconditions: Preconditions?
    /// `Orphan`, `Background` or `Foreground`.
    public var propagationPolicy: PropagationPolicy?
    /// `["All"]` for a server-side dry run.
    public var dryRun: [String]?

    public init(
        gracePeriodSeconds: Int64? = nil, preconditions: Preconditions? = nil,
        propagationPolicy: PropagationPolicy? = nil, dryRun: [String]? = nil
    ) {
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditions = preconditions
        self.propagationPolicy = propagationPolicy
        self.dryRun = dryRun
    }

    /// `metav1.Preconditions`.
    public struct Preconditions: Codable, Sendable, Hashable {
        public var uid: String?
        public var resourceVersion: String?

        public init(uid: String? = nil, resourceVersion: String? = nil) {
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }

    /// How dependents are garbage-collected.
    public enum PropagationPolicy: String, Codable, Sendable, Hashable {
        case orphan = "Orphan"
        case background = "Background"
        case foreground = "Foreground"
    }
}
