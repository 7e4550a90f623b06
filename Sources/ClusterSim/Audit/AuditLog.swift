import Foundation
import KubeModels
import Synchronization

/// One write request as the audit log records it.
public struct AuditEntry: Sendable, Equatable {
    /// Who: the bearer token's user, the client certificate's CN, or `anonymous`.
    public var user: String
    public var userAgent: String
    /// create, update, patch, delete, deletecollection.
    public var verb: String
    /// `pods`, `poddisruptionbudgets.policy`, ...
    public var resource: String
    public var subresource: String
    public var namespace: String
    public var name: String
    /// The HTTP status code of the response.
    public var code: Int
    /// Whether the request was a server-side dry run (`dryRun=All`), which changes nothing.
    public var dryRun: Bool
    public var time: Date

    var json: JSONValue {
        [
            "user": .string(user), "userAgent": .string(userAgent), "verb": .string(verb),
            "resource": .string(resource), "subresource": .string(subresource), "namespace": .string(namespace),
            "name": .string(name), "code": .int(Int64(code)), "dryRun": .bool(dryRun),
            "time": .string(Timestamps.formatMicro(time)),
        ]
    }
}

/// Every write the API server handled, in order (reads are not recorded).
///
/// Tests of out-of-process programs read it over HTTP at `GET /debug/audit` to prove, for
/// example, that a dry run made zero writes.
public final class AuditLog: Sendable {
    private let entries_: Mutex<[AuditEntry]> = Mutex([])

    public init() {}

    /// All entries so far, oldest first.
    public var entries: [AuditEntry] { entries_.withLock { $0 } }

    /// Entries that actually changed (or tried to change) state: not dry runs.
    public var writes: [AuditEntry] { entries.filter { !$0.dryRun } }

    /// Forgets every entry.
    public func clear() { entries_.withLock { $0.removeAll() } }

    func record(_ entry: AuditEntry) { entries_.withLock { $0.append(entry) } }

    /// `{"kind":"AuditLog","items":[...]}`.
    var document: JSONValue {
        ["kind": "AuditLog", "items": .array(entries.map(\.json))]
    }
}
