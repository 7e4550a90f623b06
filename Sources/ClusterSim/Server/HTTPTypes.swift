import Foundation
import KubeModels
import NIOCore
import NIOHTTP1

/// One HTTP request, fully read.
struct APIRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var query: [String: [String]]
    var headers: HTTPHeaders
    var body: [UInt8]
    /// The authenticated user (`anonymous` when auth is off and no identity was presented).
    var user: String

    func queryValue(_ name: String) -> String? { query[name]?.last }

    func queryFlag(_ name: String) -> Bool {
        guard let value = queryValue(name) else { return false }
        return value == "true" || value == "1" || value.isEmpty
    }

    var userAgent: String { headers.first(name: "user-agent") ?? "" }

    /// Splits a URI into a decoded path and query parameters.
    static func parse(uri: String) -> (path: String, query: [String: [String]]) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0]).removingPercentEncoding ?? String(parts[0])
        var query: [String: [String]] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ s: Substring) -> String {
                    let spaced = s.replacingOccurrences(of: "+", with: " ")
                    return spaced.removingPercentEncoding ?? spaced
                }
                let key = decode(kv[0])
                let value = kv.count > 1 ? decode(kv[1]) : ""
                query[key, default: []].append(value)
            }
        }
        return (path, query)
    }
}

/// What the server sends back.
enum APIResponse: Sendable {
    /// A complete JSON body.
    case json(HTTPResponseStatus, [UInt8], extraHeaders: [(String, String)])
    /// A watch stream.
    case watch(WatchPlan)

    static func object(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> APIResponse {
        .json(status, JSONCodec.serialize(value), extraHeaders: [])
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponseStatus = .ok) -> APIResponse {
        .json(status, bytes, extraHeaders: [])
    }

    static func error(_ error: APIError) -> APIResponse {
        var headers: [(String, String)] = []
        if let retry = error.retryAfterSeconds, retry > 0 { headers.append(("Retry-After", String(retry))) }
        return .json(HTTPResponseStatus(statusCode: error.code), JSONCodec.serialize(error.status), extraHeaders: headers)
    }
}

/// Everything needed to start streaming a watch once the response head is out.
struct WatchPlan: Sendable {
    var resource: ResourceDescriptor
    var filter: ObjectFilter
    var start: WatchStart
    var timeout: Duration?
    var bookmarks: Bool
    /// Send a bookmark marking the end of the initial events (`sendInitialEvents=true`).
    var initialEventsEndBookmark: Bool
    /// How objects are rendered on the stream.
    var representation: Representation
}

/// How a response shows objects, from the request's `Accept` header.
enum Representation: Sendable, Equatable {
    /// The objects as stored.
    case full
    /// `meta.k8s.io/v1` Table rows (kubectl's server-side printing), with an `includeObject` policy.
    case table(includeObject: String)
    /// `meta.k8s.io/v1` PartialObjectMetadata (metadata-only clients).
    case metadata

    init(accept: String?, includeObject: String?) {
        self = .full
        guard let accept else { return }
        // The first acceptable media type wins; kubectl lists the Table forms first.
        for option in accept.split(separator: ",") {
            let lowered = option.lowercased().replacingOccurrences(of: " ", with: "")
            if lowered.contains("as=table") {
                if lowered.contains("g=meta.k8s.io") { self = .table(includeObject: includeObject ?? "Metadata"); return }
                continue
            }
            if lowered.contains("as=partialobjectmetadata") {
                if lowered.contains("g=meta.k8s.io") { self = .metadata; return }
                continue
            }
            if lowered.contains("application/json") || lowered.contains("*/*") { return }
        }
    }

    /// `{"kind":"PartialObjectMetadata",...}` for one object.
    static func partialMetadata(_ object: StoredObject) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object.value["metadata"] ?? .object([:])]
    }
}
