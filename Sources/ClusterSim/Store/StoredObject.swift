import Foundation
import KubeModels

/// One version of one object as the store holds it: its compact JSON encoding plus the few
/// fields the store consults constantly (identity, labels, owners, field-selector values).
///
/// Objects are immutable; every write makes a new `StoredObject`. Only the encoding is kept, not
/// a parsed tree: 50,000 realistic pods then cost about their JSON size instead of five times it.
/// The encoded bytes are made once at write time and shared by every list response and every
/// watcher that sends this version. ``value`` parses them on each access: read it once per use.
public final class StoredObject: Sendable {
    /// The object, exactly as clients sent it plus server-set metadata (parsed from ``json``).
    public var value: JSONValue { (try? JSONCodec.parse(json)) ?? .null }
    /// The object as compact JSON.
    public let json: [UInt8]
    /// `metadata.resourceVersion` as a number.
    public let resourceVersion: UInt64
    public let namespace: String
    public let name: String
    let uid: String
    /// `metadata.labels` (string values only).
    let labels: [String: String]
    let finalizers: [String]
    let isTerminating: Bool
    let ownerUIDs: [String]
    let deletionGracePeriodSeconds: Int64?
    /// Values of the field selectors the object's kind supports (see ``ObjectFilter``).
    let fields: [String: String]
    /// kubectl's table row, precomputed for pods and nodes so `kubectl get pods -A` parses nothing.
    let tableRow: TableRow?

    /// A precomputed server-side printing row.
    struct TableRow: Sendable {
        /// Cells with the Age cell left `null`.
        var cells: [JSONValue]
        var created: Date?
        /// `metadata` as JSON, for `PartialObjectMetadata` row objects.
        var metadataJSON: [UInt8]
    }

    init(value: JSONValue, resourceVersion: UInt64) {
        self.json = JSONCodec.serialize(value)
        self.resourceVersion = resourceVersion
        let metadata = value["metadata"]
        self.namespace = metadata?["namespace"]?.stringValue ?? ""
        self.name = metadata?["name"]?.stringValue ?? ""
        self.uid = metadata?["uid"]?.stringValue ?? ""
        var labels: [String: String] = [:]
        for (k, v) in metadata?["labels"]?.objectValue ?? [:] { if let s = v.stringValue { labels[k] = s } }
        self.labels = labels
        self.finalizers = metadata?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.isTerminating = metadata?["deletionTimestamp"].map { !$0.isNull } ?? false
        self.ownerUIDs = metadata?["ownerReferences"]?.arrayValue?.compactMap { $0["uid"]?.stringValue } ?? []
        self.deletionGracePeriodSeconds = metadata?["deletionGracePeriodSeconds"]?.intValue
        var fields: [String: String] = [:]
        for field in ObjectFilter.fieldLabels(kind: value["kind"]?.stringValue ?? "", apiVersion: value["apiVersion"]?.stringValue ?? "") {
            fields[field] = ObjectFilter.fieldValue(field, in: value)
        }
        self.fields = fields
        if let resource = Tables.precomputed["\(value["apiVersion"]?.stringValue ?? "")/\(value["kind"]?.stringValue ?? "")"] {
            tableRow = TableRow(cells: Tables.cells(for: resource, object: value, now: nil),
                                created: metadata?["creationTimestamp"]?.stringValue.flatMap(Timestamps.parse),
                                metadataJSON: JSONCodec.serialize(metadata ?? .object([:])))
        } else {
            tableRow = nil
        }
    }
}

/// One change to one object, as watchers receive it.
public struct StoreEvent: Sendable {
    public let type: WatchEventType
    /// The object after the change (for `DELETED`, its last state at the deletion's version).
    public let object: StoredObject
    /// The object before the change, when there was one (used for selector transitions).
    let previous: StoredObject?
    /// `group/plural` of the object's resource.
    let resourceKey: String

    /// The revision at which the change happened.
    public var resourceVersion: UInt64 { object.resourceVersion }
}

extension StoreEvent {
    /// The event as one line of a watch stream: `{"type":"ADDED","object":{...}}\n`.
    func writeLine(as type: WatchEventType, into out: inout [UInt8]) {
        out.append(contentsOf: Self.prefixes[type]!)
        out.append(contentsOf: object.json)
        out.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
    }

    static let prefixes: [WatchEventType: [UInt8]] = {
        var p: [WatchEventType: [UInt8]] = [:]
        for t in [WatchEventType.added, .modified, .deleted, .bookmark, .error] {
            p[t] = Array("{\"type\":\"\(t.rawValue)\",\"object\":".utf8)
        }
        return p
    }()
}
