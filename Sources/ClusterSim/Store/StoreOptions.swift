import KubeModels

/// Options of a write through the store.
public struct WriteOptions: Sendable {
    /// Compute and validate the result but change nothing (`dryRun=All`).
    public var dryRun: Bool
    /// Keep `status` as given on create (nodes always do; other kinds reset status on create
    /// like the API server). Meant for simulations and test fixtures that seed state.
    public var keepStatusOnCreate: Bool

    public init(dryRun: Bool = false, keepStatusOnCreate: Bool = false) {
        self.dryRun = dryRun
        self.keepStatusOnCreate = keepStatusOnCreate
    }
}

/// Which part of an object a write changes.
public enum Subresource: String, Sendable {
    /// The object; `status` of resources with a status subresource is left alone.
    case main = ""
    /// Only `status`.
    case status
}

/// Options of a delete (the API's `DeleteOptions`).
public struct DeleteOptions: Sendable {
    /// How dependents (by `ownerReferences`) are handled.
    public enum Propagation: String, Sendable {
        case orphan = "Orphan", background = "Background", foreground = "Foreground"
    }

    public var gracePeriodSeconds: Int64?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var propagationPolicy: Propagation?
    public var dryRun: Bool

    public init(gracePeriodSeconds: Int64? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, propagationPolicy: Propagation? = nil,
                dryRun: Bool = false) {
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.propagationPolicy = propagationPolicy
        self.dryRun = dryRun
    }

    /// Reads a `DeleteOptions` JSON body (unknown fields ignored).
    init(json: JSONValue) throws(APIError) {
        self.init()
        if let g = json["gracePeriodSeconds"], !g.isNull {
            guard let seconds = g.intValue else { throw APIError.badRequest("gracePeriodSeconds must be an integer") }
            gracePeriodSeconds = seconds
        }
        preconditionUID = json[path: ["preconditions", "uid"]]?.stringValue
        preconditionResourceVersion = json[path: ["preconditions", "resourceVersion"]]?.stringValue
        if let p = json["propagationPolicy"]?.stringValue {
            guard let policy = Propagation(rawValue: p) else {
                throw APIError.badRequest("propagationPolicy: Unsupported value: \"\(p)\": supported values: \"Foreground\", \"Background\", \"Orphan\"")
            }
            propagationPolicy = policy
        }
        if json["orphanDependents"]?.boolValue == true, propagationPolicy == nil { propagationPolicy = .orphan }
        if let d = json["dryRun"]?.arrayValue, d.contains(.string("All")) { dryRun = true }
    }
}

/// What a delete did.
public enum DeleteOutcome: Sendable {
    /// The object is gone; this was its last state.
    case deleted(JSONValue)
    /// Deletion started (grace period or finalizers); the object remains with a `deletionTimestamp`.
    case pending(JSONValue)

    /// The object in either case.
    public var object: JSONValue {
        switch self {
        case .deleted(let o), .pending(let o): return o
        }
    }
}

/// Options of a list.
public struct ListOptions: Sendable {
    public var filter: ObjectFilter
    /// At most this many items (0: no limit).
    public var limit: Int
    /// The `continue` token of the previous page.
    public var continueToken: String?

    public init(filter: ObjectFilter = ObjectFilter(), limit: Int = 0, continueToken: String? = nil) {
        self.filter = filter
        self.limit = limit
        self.continueToken = continueToken
    }
}

/// One page of a list.
public struct ListPage: Sendable {
    public var items: [StoredObject]
    /// The store's revision when the list was served.
    public var resourceVersion: UInt64
    /// Set when more items follow.
    public var continueToken: String?
    /// How many matching items follow this page (when known).
    public var remainingItemCount: Int?
}

/// Where a watch starts.
public enum WatchStart: Sendable, Equatable {
    /// Synthetic `ADDED` events for every current object, then changes (`resourceVersion` unset or "0").
    case currentState
    /// Changes after this revision, replayed from history (410 Expired when compacted).
    case after(UInt64)
}
