import Foundation
import KubeModels

/// One version of one object as the store holds it: the lossless JSON value and its encoding.
///
/// Objects are immutable; every write makes a new `StoredObject`. The encoded bytes are made once
/// at write time and shared by every list response and every watcher that sends this version.
public final class StoredObject: Sendable {
    /// The object, exactly as clients sent it plus server-set metadata.
    public let value: JSONValue
    /// `value` as compact JSON.
    public let json: [UInt8]
    /// `metadata.resourceVersion` as a number.
    public let resourceVersion: UInt64
    public let namespace: String
    public let name: String

    init(value: JSONValue, resourceVersion: UInt64) {
        self.value = value
        self.json = JSONCodec.serialize(value)
        self.resourceVersion = resourceVersion
        self.namespace = value[path: ["metadata", "namespace"]]?.stringValue ?? ""
        self.name = value[path: ["metadata", "name"]]?.stringValue ?? ""
    }

    /// `metadata.labels` as strings.
    var labels: [String: String] {
        guard let members = value[path: ["metadata", "labels"]]?.objectValue else { return [:] }
        var labels: [String: String] = [:]
        labels.reserveCapacity(members.count)
        for (k, v) in members { if let s = v.stringValue { labels[k] = s } }
        return labels
    }

    var uid: String { value[path: ["metadata", "uid"]]?.stringValue ?? "" }
    var finalizers: [String] { value[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    var isTerminating: Bool { value[path: ["metadata", "deletionTimestamp"]].map { !$0.isNull } ?? false }
    var ownerUIDs: [String] {
        value[path: ["metadata", "ownerReferences"]]?.arrayValue?.compactMap { $0["uid"]?.stringValue } ?? []
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
