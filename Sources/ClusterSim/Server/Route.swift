import NIOHTTP1

/// A request for one resource (collection or object, maybe a subresource).
public struct ResourceRequest: Sendable {
    public var resource: ResourceDescriptor
    /// The version in the URL.
    public var version: String
    public var namespace: String?
    public var name: String?
    public var subresource: String?
    /// The Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection.
    public var verb: String
}

/// What a URL path addresses.
enum Route {
    case version
    case health
    case coreVersions
    case groups
    case group(String)
    case resourceList(group: String, version: String)
    case audit
    case openAPIIndex
    case openAPI(group: String, version: String)
    case resource(ResourceRequest)
    case notFound

    static func parse(method: HTTPMethod, path: String, watchFlag: Bool, catalog: ResourceCatalog) -> Route {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch segments.first {
        case "version": return segments.count == 1 ? .version : .notFound
        case "healthz", "livez", "readyz": return .health
        case "debug": return segments == ["debug", "audit"] ? .audit : .notFound
        case "openapi":
            guard segments.count >= 2, segments[1] == "v3" else { return .notFound }
            if segments.count == 2 { return .openAPIIndex }
            if segments.count == 4, segments[2] == "api" { return .openAPI(group: "", version: segments[3]) }
            if segments.count == 5, segments[2] == "apis" { return .openAPI(group: segments[3], version: segments[4]) }
            return .notFound
        case "api":
            if segments.count == 1 { return .coreVersions }
            guard segments[1] == "v1" else { return .notFound }
            if segments.count == 2 { return .resourceList(group: "", version: "v1") }
            segments.removeFirst(2)
            return resource(method: method, group: "", version: "v1", rest: segments, watchFlag: watchFlag, catalog: catalog)
        case "apis":
            if segments.count == 1 { return .groups }
            let group = segments[1]
            guard catalog.groups.contains(where: { $0.name == group }) else { return .notFound }
            if segments.count == 2 { return .group(group) }
            let version = segments[2]
            guard catalog.groups.first(where: { $0.name == group })?.versions.contains(version) == true else { return .notFound }
            if segments.count == 3 { return .resourceList(group: group, version: version) }
            segments.removeFirst(3)
            return resource(method: method, group: group, version: version, rest: segments, watchFlag: watchFlag, catalog: catalog)
        default:
            return .notFound
        }
    }

    private static func resource(method: HTTPMethod, group: String, version: String, rest: [String], watchFlag: Bool,
                                 catalog: ResourceCatalog) -> Route {
        var rest = rest
        var watch = watchFlag
        if rest.first == "watch" {
            watch = true
            rest.removeFirst()
        }
        var namespace: String?
        // `namespaces/{ns}/{resource}...`, but `namespaces/{name}` and `namespaces/{name}/status` are namespaces.
        if rest.count >= 3, rest[0] == "namespaces", !(rest.count == 3 && rest[2] == "status" && group.isEmpty) {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let plural = rest.first, let resource = catalog.resource(group: group, plural: plural),
              resource.serves(version: version), rest.count <= 3 else { return .notFound }
        if namespace != nil, !resource.namespaced { return .notFound }
        let name = rest.count > 1 ? rest[1] : nil
        let subresource = rest.count > 2 ? rest[2] : nil
        if let subresource, !resource.subresources.contains(subresource) { return .notFound }
        let verb: String
        switch method {
        case .GET, .HEAD: verb = name == nil ? (watch ? "watch" : "list") : (watch ? "watch" : "get")
        case .POST: verb = "create"
        case .PUT: verb = "update"
        case .PATCH: verb = "patch"
        case .DELETE: verb = name == nil ? "deletecollection" : "delete"
        default: verb = method.rawValue.lowercased()
        }
        return .resource(ResourceRequest(resource: resource, version: version, namespace: namespace, name: name,
                                         subresource: subresource, verb: verb))
    }
}
