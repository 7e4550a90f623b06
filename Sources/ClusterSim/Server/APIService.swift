import Foundation
import KubeModels
import MendTime
import NIOHTTP1

/// The REST layer: turns HTTP requests into store calls and store results into API responses.
/// Free of networking, so it is the same code whether a request came over TLS or not.
final class APIService: Sendable {
    let store: ClusterStore
    let audit: AuditLog
    let faults: FaultInjector
    let serverAddress: @Sendable () -> String

    init(store: ClusterStore, audit: AuditLog, faults: FaultInjector, serverAddress: @escaping @Sendable () -> String) {
        self.store = store
        self.audit = audit
        self.faults = faults
        self.serverAddress = serverAddress
    }

    var catalog: ResourceCatalog { store.catalog }

    static let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection"]

    /// Handles one request; returns the response and how long to hold it (injected latency).
    func handle(_ request: APIRequest) -> (APIResponse, Duration) {
        let route = Route.parse(method: request.method, path: request.path, watchFlag: request.queryFlag("watch"),
                                catalog: catalog)
        switch route {
        case .version: return (.object(Discovery.version()), .zero)
        case .health: return (.json(.ok, Array("ok".utf8), extraHeaders: [("Content-Type", "text/plain")]), .zero)
        case .coreVersions: return (.object(Discovery.coreVersions(serverAddress: serverAddress())), .zero)
        case .groups: return (.object(Discovery.groups(catalog)), .zero)
        case .group(let name):
            return (Discovery.group(catalog, name: name).map { .object($0) } ?? .error(.pathNotFound()), .zero)
        case .resourceList(let group, let version):
            return (.object(Discovery.resourceList(catalog, group: group, version: version)), .zero)
        case .audit:
            if request.method == .DELETE {
                audit.clear()
                return (.object(["kind": "Status", "apiVersion": "v1", "status": "Success"]), .zero)
            }
            return (.object(audit.document), .zero)
        case .openAPIIndex:
            return (.object(OpenAPI.index(catalog)), .zero)
        case .openAPI(let group, let version):
            return (OpenAPI.document(catalog, group: group, version: version).map { .object($0) } ?? .error(.pathNotFound()), .zero)
        case .notFound:
            return (.error(.pathNotFound()), .zero)
        case .resource(let rr):
            let (faultError, delay) = faults.evaluate(rr, userAgent: request.userAgent)
            let response: APIResponse
            if let faultError {
                response = .error(faultError)
            } else {
                do { response = try execute(rr, request) } catch { response = .error(error) }
            }
            if Self.writeVerbs.contains(rr.verb) || rr.subresource == "eviction" || rr.subresource == "binding" {
                var code = 200
                var name = rr.name ?? ""
                if case .json(let status, let bytes, _) = response {
                    code = Int(status.code)
                    // A create names its object in the response.
                    if name.isEmpty, code == 201, let created = try? JSONCodec.parse(bytes) {
                        name = created[path: ["metadata", "name"]]?.stringValue ?? ""
                    }
                }
                audit.record(AuditEntry(
                    user: request.user, userAgent: request.userAgent, verb: rr.verb,
                    resource: rr.resource.description, subresource: rr.subresource ?? "",
                    namespace: rr.namespace ?? "", name: name, code: code,
                    dryRun: request.query["dryRun"]?.contains("All") == true, time: store.clock.now))
            }
            return (response, delay)
        }
    }

    private func execute(_ rr: ResourceRequest, _ request: APIRequest) throws(APIError) -> APIResponse {
        let resource = rr.resource
        let namespace = rr.namespace
        let dryRun = request.query["dryRun"]?.contains("All") == true
        switch rr.verb {
        case "get":
            guard let name = rr.name else { throw APIError.methodNotAllowed() }
            let object = try store.getStored(resource, namespace: namespace, name: name)
            switch representation(request) {
            case .table(let includeObject):
                return .bytes(Tables.table(for: resource, items: [object], resourceVersion: object.resourceVersion,
                                           continueToken: nil, remaining: nil, includeObject: includeObject,
                                           now: store.clock.now))
            case .metadata:
                return .object(Representation.partialMetadata(object))
            case .full:
                return .bytes(object.json)
            }
        case "list":
            let options = try listOptions(rr, request)
            let page = try store.list(resource, options: options)
            switch representation(request) {
            case .table(let includeObject):
                return .bytes(Tables.table(for: resource, items: page.items, resourceVersion: page.resourceVersion,
                                           continueToken: page.continueToken, remaining: page.remainingItemCount,
                                           includeObject: includeObject, now: store.clock.now))
            case .metadata:
                return .bytes(Self.listBody(resource, page, metadataOnly: true))
            case .full:
                return .bytes(Self.listBody(resource, page))
            }
        case "watch":
            let options = try listOptions(rr, request)
            var filter = options.filter
            if let name = rr.name {
                filter.fields.append(ObjectFilter.FieldRequirement(field: "metadata.name", value: name))
            }
            let rv = request.queryValue("resourceVersion") ?? ""
            let sendInitial = request.queryValue("sendInitialEvents") == "true"
            var start = WatchStart.currentState
            if !sendInitial, !rv.isEmpty, rv != "0" {
                guard let number = UInt64(rv) else {
                    throw APIError.badRequest("resourceVersion: Invalid value: \"\(rv)\": must be a non-negative integer")
                }
                start = .after(number)
            }
            if sendInitial, !request.queryFlag("allowWatchBookmarks") {
                throw APIError.invalid(resource, name: "", errors: [FieldError(
                    .forbidden, field: "allowWatchBookmarks", detail: "allowWatchBookmarks required when using sendInitialEvents")])
            }
            var timeout: Duration?
            if let t = request.queryValue("timeoutSeconds"), let seconds = Int(t), seconds > 0 { timeout = .seconds(seconds) }
            return .watch(WatchPlan(resource: resource, filter: filter, start: start, timeout: timeout,
                                    bookmarks: request.queryFlag("allowWatchBookmarks"),
                                    initialEventsEndBookmark: sendInitial,
                                    representation: representation(request)))
        case "create":
            switch rr.subresource {
            case "eviction":
                guard let name = rr.name, let ns = namespace else { throw APIError.methodNotAllowed() }
                let body = try parseBody(request)
                let kind = body["kind"]?.stringValue ?? "Eviction"
                guard kind == "Eviction" else { throw APIError.badRequest("expected an Eviction object, got \(kind)") }
                var eviction = body
                if dryRun {
                    var options = eviction["deleteOptions"] ?? .object([:])
                    options["dryRun"] = ["All"]
                    eviction["deleteOptions"] = options
                }
                return .object(try store.evict(namespace: ns, name: name, eviction: eviction), status: .created)
            case "binding":
                guard let name = rr.name, let ns = namespace else { throw APIError.methodNotAllowed() }
                return .object(try store.bind(namespace: ns, name: name, binding: try parseBody(request)), status: .created)
            case nil:
                guard rr.name == nil else { throw APIError.methodNotAllowed() }
                let created = try store.create(resource, namespace: namespace, object: try parseBody(request),
                                               options: WriteOptions(dryRun: dryRun))
                return .object(created, status: .created)
            default:
                throw APIError.methodNotAllowed()
            }
        case "update":
            guard let name = rr.name else { throw APIError.methodNotAllowed() }
            let sub: Subresource = rr.subresource == "status" ? .status : .main
            let updated = try store.update(resource, namespace: namespace, name: name, object: try parseBody(request),
                                           subresource: sub, options: WriteOptions(dryRun: dryRun))
            return .object(updated)
        case "patch":
            guard let name = rr.name else { throw APIError.methodNotAllowed() }
            let contentType = request.headers.first(name: "content-type") ?? ""
            guard let type = PatchType(contentType: contentType) else {
                throw APIError.unsupportedMediaType(contentType, accepted: PatchType.allCases.map(\.rawValue))
            }
            let sub: Subresource = rr.subresource == "status" ? .status : .main
            let existed = (try? store.getStored(resource, namespace: namespace, name: name)) != nil
            let patched = try store.patch(resource, namespace: namespace, name: name, type: type, body: request.body,
                                          subresource: sub, options: WriteOptions(dryRun: dryRun),
                                          fieldManager: request.queryValue("fieldManager"), force: request.queryFlag("force"))
            return .object(patched, status: existed ? .ok : .created)
        case "delete":
            guard let name = rr.name else { throw APIError.methodNotAllowed() }
            let options = try deleteOptions(request)
            let outcome = try store.delete(resource, namespace: namespace, name: name, options: options)
            return .object(Self.deleteResponse(resource, outcome))
        case "deletecollection":
            // The answer lists what was deleted (or is now terminating), as the API server's does.
            let listOpts = try listOptions(rr, request)
            let outcomes = try store.deleteCollection(resource, filter: listOpts.filter, options: try deleteOptions(request))
            return .object(["kind": .string(resource.kind + "List"), "apiVersion": .string(resource.apiVersion),
                            "metadata": ["resourceVersion": .string(String(store.currentRevision))],
                            "items": .array(outcomes.map(\.object))])
        default:
            throw APIError.methodNotAllowed()
        }
    }

    static func deleteResponse(_ resource: ResourceDescriptor, _ outcome: DeleteOutcome) -> JSONValue {
        switch outcome {
        case .pending(let object):
            return object
        case .deleted(let object):
            if resource.group.isEmpty, resource.plural == "pods" { return object }
            var details: [String: JSONValue] = [
                "name": object[path: ["metadata", "name"]] ?? "", "kind": .string(resource.plural),
                "uid": object[path: ["metadata", "uid"]] ?? "",
            ]
            if !resource.group.isEmpty { details["group"] = .string(resource.group) }
            return ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success",
                    "details": .object(details)]
        }
    }

    func representation(_ request: APIRequest) -> Representation {
        Representation(accept: request.headers.first(name: "accept"), includeObject: request.queryValue("includeObject"))
    }

    static func listBody(_ resource: ResourceDescriptor, _ page: ListPage, metadataOnly: Bool = false) -> [UInt8] {
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(page.resourceVersion))]
        if let token = page.continueToken { metadata["continue"] = .string(token) }
        if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .int(Int64(remaining)) }
        var out: [UInt8] = []
        out.reserveCapacity(128 + page.items.reduce(0) { $0 + $1.json.count + 1 })
        if metadataOnly {
            out.append(contentsOf: "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":".utf8)
        } else {
            out.append(contentsOf: "{\"kind\":\"\(resource.kind)List\",\"apiVersion\":\"\(resource.apiVersion)\",\"metadata\":".utf8)
        }
        JSONCodec.write(.object(metadata), into: &out)
        out.append(contentsOf: ",\"items\":[".utf8)
        for (i, item) in page.items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if metadataOnly {
                JSONCodec.write(Representation.partialMetadata(item), into: &out)
            } else {
                out.append(contentsOf: item.json)
            }
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    func listOptions(_ rr: ResourceRequest, _ request: APIRequest) throws(APIError) -> ListOptions {
        var filter = ObjectFilter(namespace: rr.resource.namespaced ? rr.namespace : nil)
        if let text = request.queryValue("labelSelector"), !text.isEmpty {
            filter.labels = try SelectorSupport.labelPredicate(text)
        }
        if let text = request.queryValue("fieldSelector"), !text.isEmpty {
            filter.fields = try SelectorSupport.fieldRequirements(text, resource: rr.resource)
        }
        var limit = 0
        if let l = request.queryValue("limit"), !l.isEmpty {
            guard let value = Int(l), value >= 0 else {
                throw APIError.badRequest("limit: Invalid value: \"\(l)\": must be a non-negative integer")
            }
            limit = value
        }
        return ListOptions(filter: filter, limit: limit, continueToken: request.queryValue("continue"))
    }

    func deleteOptions(_ request: APIRequest) throws(APIError) -> DeleteOptions {
        var options = DeleteOptions()
        if !request.body.isEmpty {
            let body: JSONValue
            do { body = try JSONCodec.parse(request.body) } catch {
                throw APIError.badRequest("error decoding DeleteOptions: \(error.description)")
            }
            options = try DeleteOptions(json: body)
        }
        if let g = request.queryValue("gracePeriodSeconds") {
            guard let seconds = Int64(g) else { throw APIError.badRequest("gracePeriodSeconds must be an integer") }
            options.gracePeriodSeconds = seconds
        }
        if let p = request.queryValue("propagationPolicy") {
            guard let policy = DeleteOptions.Propagation(rawValue: p) else {
                throw APIError.badRequest("propagationPolicy: Unsupported value: \"\(p)\": supported values: \"Foreground\", \"Background\", \"Orphan\"")
            }
            options.propagationPolicy = policy
        }
        if request.query["dryRun"]?.contains("All") == true { options.dryRun = true }
        return options
    }

    func parseBody(_ request: APIRequest) throws(APIError) -> JSONValue {
        let contentType = (request.headers.first(name: "content-type") ?? "application/json").lowercased()
        if contentType.contains("cbor") {
            throw APIError.unsupportedMediaType(contentType, accepted: ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"])
        }
        guard !request.body.isEmpty else { throw APIError.badRequest("the request body is empty; an object was expected") }
        if contentType.contains("protobuf") {
            do { return try KubernetesProtobuf.decode(request.body) } catch {
                if case .unsupportedKind = error {
                    throw APIError(code: 415, reason: "UnsupportedMediaType", message: error.description)
                }
                throw APIError.badRequest(error.description)
            }
        }
        if contentType.contains("yaml") { return try YAMLDocument.parse(request.body) }
        do { return try JSONCodec.parse(request.body) } catch {
            throw APIError.badRequest("the object provided is unrecognized: \(error.description)")
        }
    }
}
