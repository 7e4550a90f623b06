import Foundation
import KubeModels
import Logging
import NIOHTTP1

/// A typed Kubernetes API client.
///
/// ```swift
/// let config = try KubeConfiguration.automatic()          // kubeconfig or in-cluster
/// let client = try KubernetesClient(configuration: config,
///     options: KubeClientOptions(userAgent: UserAgent.make(program: "mend-drainer", version: "0.1.0")))
/// let node = try await client.get(Node.self, name: "ip-10-0-0-1")
/// try await client.shutdown()
/// ```
///
/// Namespaces: for namespaced types, single-object verbs use `namespace` or else the object's own
/// namespace or else the configuration's namespace; `list` and `watch` with `namespace: nil` span
/// all namespaces. There is deliberately no PUT of a decoded object: change objects with ``patch(_:name:namespace:patch:options:)``.
public final class KubernetesClient: Sendable {
    /// The namespace single-object verbs fall back to.
    public let defaultNamespace: String
    /// Where the configuration came from (for logs).
    public let origin: String
    let transport: KubeTransport
    let logger: Logger

    /// Builds a client; credentials come from `configuration.credentials`.
    public convenience init(
        configuration: KubeConfiguration,
        options: KubeClientOptions = KubeClientOptions(),
        logger: Logger = Logger(label: "kube-client")
    ) throws {
        let provider: (any CredentialProvider)?
        switch configuration.credentials {
        case .none: provider = nil
        case .token(let token): provider = StaticCredentialProvider(Credential(bearerToken: token))
        case .tokenFile(let path): provider = TokenFileCredentialProvider(path: path)
        case .exec(let exec): provider = ExecCredentialProvider(config: exec, clock: options.clock)
        case .basic(let username, let password):
            provider = StaticCredentialProvider(Credential(basic: (username, password)))
        }
        try self.init(configuration: configuration, options: options, credentials: provider, logger: logger)
    }

    /// Builds a client with an explicit credential provider (tests, custom auth).
    public init(
        configuration: KubeConfiguration,
        options: KubeClientOptions = KubeClientOptions(),
        credentials: (any CredentialProvider)?,
        logger: Logger = Logger(label: "kube-client")
    ) throws {
        transport = try KubeTransport(
            configuration: configuration, options: options, credentials: credentials, logger: logger)
        defaultNamespace = configuration.namespace
        origin = configuration.origin
        self.logger = logger
    }

    /// Closes connections. Call once when done.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// How many HTTP requests this client has sent (each retry counts).
    public var requestsSent: Int { transport.requestsSent }

    /// The client-side rate limiter (shared by all non-watch requests of this client).
    public var rateLimiter: TokenBucketRateLimiter { transport.rateLimiter }

    // MARK: Paths

    func path(
        _ type: ResourceType, namespace: String?, name: String? = nil, subresource: String? = nil
    ) throws -> String {
        if let name {
            guard !name.isEmpty else { throw KubeClientError.invalidRequest(reason: "empty \(type.kind) name") }
        }
        let ns = type.namespaced ? namespace : nil
        return type.path(
            namespace: ns.map(KubeRequest.escapeSegment), name: name.map(KubeRequest.escapeSegment),
            subresource: subresource)
    }

    func resolvedNamespace(_ type: ResourceType, _ namespace: String?, object: String? = nil) -> String? {
        guard type.namespaced else { return nil }
        if let namespace, !namespace.isEmpty { return namespace }
        if let object, !object.isEmpty { return object }
        return defaultNamespace
    }

    func decode<T: Decodable>(_ type: T.Type, from response: KubeResponse, request: String) throws -> T {
        do {
            return try KubeJSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw KubeClientError.decoding(
                request: request, type: String(describing: T.self), reason: KubeconfigLoader.reason(error))
        }
    }

    func encode<T: Encodable>(_ value: T) throws -> Data {
        do {
            return try JSONEncoder().encode(value)
        } catch {
            throw KubeClientError.invalidRequest(reason: "cannot encode \(T.self): \(error)")
        }
    }

    // MARK: Get / list

    /// Reads one object.
    ///
    /// - Throws: ``KubeClientError`` (``KubeClientError/isNotFound`` when it does not exist).
    public func get<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> T {
        let request = KubeRequest(
            method: .GET, path: try path(T.resourceType, namespace: resolvedNamespace(T.resourceType, namespace), name: name),
            retryClass: .idempotent)
        return try decode(T.self, from: try await transport.execute(request), request: request.summary)
    }

    /// Reads one object as raw JSON (every field, known to a model or not).
    public func getJSON(_ type: ResourceType, name: String, namespace: String? = nil) async throws -> JSONValue {
        let request = KubeRequest(
            method: .GET, path: try path(type, namespace: resolvedNamespace(type, namespace), name: name),
            retryClass: .idempotent)
        let response = try await transport.execute(request)
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw KubeClientError.decoding(request: request.summary, type: "JSON", reason: "\(error)")
        }
    }

    /// Lists one page of objects. `namespace: nil` lists across all namespaces.
    public func list<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<T> {
        try await list(T.self, resource: T.resourceType, namespace: namespace, options: options)
    }

    /// Lists with any decodable item type (for slim projections of a resource).
    public func list<Item: Decodable & Sendable>(
        _ type: Item.Type, resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<Item> {
        let request = KubeRequest(
            method: .GET, path: try path(resource, namespace: namespace), query: options.queryItems,
            retryClass: .idempotent)
        return try decode(ObjectList<Item>.self, from: try await transport.execute(request), request: request.summary)
    }

    /// Lists every page (`limit` per request, default 500) and returns all items with the
    /// resourceVersion of the last page. If the continue token expires mid-way (410), the list
    /// starts over once without paging, as client-go's pager does.
    public func listAll<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<T> {
        try await listAll(T.self, resource: T.resourceType, namespace: namespace, options: options)
    }

    /// ``listAll(_:namespace:options:)`` for any decodable item type.
    public func listAll<Item: Decodable & Sendable>(
        _ type: Item.Type, resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<Item> {
        var pageOptions = options
        if pageOptions.limit == nil { pageOptions.limit = 500 }
        var items: [Item] = []
        var pages = 0
        while true {
            pages += 1
            let page: ObjectList<Item>
            do {
                page = try await list(Item.self, resource: resource, namespace: namespace, options: pageOptions)
            } catch let error as KubeClientError where error.isGone && pages > 1 {
                logger.info("list continue token expired; listing again without paging", metadata: ["resource": "\(resource)"])
                var full = options
                full.limit = nil
                full.continue = nil
                return try await list(Item.self, resource: resource, namespace: namespace, options: full)
            }
            items.append(contentsOf: page.items)
            guard let next = page.metadata.continue, !next.isEmpty else {
                var result = page
                result.items = items
                result.metadata.continue = nil
                return result
            }
            pageOptions.continue = next
        }
    }

    // MARK: Create / delete

    /// Creates `object` (POST). Never retried after the server may have acted on it.
    ///
    /// - Returns: the object as stored (with uid, resourceVersion, defaults).
    public func create<T: KubernetesObject>(_ object: T, namespace: String? = nil, dryRun: Bool = false) async throws -> T {
        let ns = resolvedNamespace(T.resourceType, namespace, object: object.metadata.namespace)
        var request = KubeRequest(
            method: .POST, path: try path(T.resourceType, namespace: ns), body: try encode(object),
            retryClass: .unexecutedOnly)
        if dryRun { request.query.append(("dryRun", "All")) }
        return try decode(T.self, from: try await transport.execute(request), request: request.summary)
    }

    /// Deletes one object, with optional grace period, preconditions (uid / resourceVersion) and
    /// propagation policy. Retried like other idempotent requests: a repeat after a lost answer
    /// reports ``KubeClientError/isNotFound``.
    public func delete<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String? = nil, options: DeleteOptions? = nil
    ) async throws {
        try await delete(T.resourceType, name: name, namespace: namespace, options: options)
    }

    /// ``delete(_:name:namespace:options:)`` by resource type.
    public func delete(
        _ type: ResourceType, name: String, namespace: String? = nil, options: DeleteOptions? = nil
    ) async throws {
        var body: Data?
        if var options {
            options.apiVersion = "v1"
            options.kind = "DeleteOptions"
            body = try encode(options)
        }
        let request = KubeRequest(
            method: .DELETE, path: try path(type, namespace: resolvedNamespace(type, namespace), name: name), body: body,
            retryClass: .idempotent)
        _ = try await transport.execute(request)
    }

    // MARK: Patch

    /// Patches one object (or its `subresource`) and returns the result.
    public func patch<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String? = nil, patch: Patch, subresource: String? = nil,
        options: PatchOptions = PatchOptions()
    ) async throws -> T {
        let response = try await patchRaw(
            T.resourceType, name: name, namespace: namespace, patch: patch, subresource: subresource, options: options)
        return try decode(T.self, from: response.response, request: response.summary)
    }

    /// Patches the `status` subresource (how controllers report conditions).
    public func patchStatus<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String? = nil, patch: Patch, options: PatchOptions = PatchOptions()
    ) async throws -> T {
        try await self.patch(T.self, name: name, namespace: namespace, patch: patch, subresource: "status", options: options)
    }

    /// Patches by resource type and returns the raw JSON answer.
    public func patchJSON(
        _ type: ResourceType, name: String, namespace: String? = nil, patch: Patch, subresource: String? = nil,
        options: PatchOptions = PatchOptions()
    ) async throws -> JSONValue {
        let response = try await patchRaw(
            type, name: name, namespace: namespace, patch: patch, subresource: subresource, options: options)
        do {
            return try JSONValue.parse(response.response.body)
        } catch {
            throw KubeClientError.decoding(request: response.summary, type: "JSON", reason: "\(error)")
        }
    }

    private func patchRaw(
        _ type: ResourceType, name: String, namespace: String?, patch: Patch, subresource: String?,
        options: PatchOptions
    ) async throws -> (response: KubeResponse, summary: String) {
        var query: [(name: String, value: String)] = []
        if case .apply = patch {
            guard let manager = options.fieldManager, !manager.isEmpty else {
                throw KubeClientError.invalidRequest(reason: "server-side apply needs a field manager")
            }
        }
        if let manager = options.fieldManager, !manager.isEmpty { query.append(("fieldManager", manager)) }
        if options.force {
            guard case .apply = patch else {
                throw KubeClientError.invalidRequest(reason: "force is only valid for server-side apply")
            }
            query.append(("force", "true"))
        }
        if options.dryRun { query.append(("dryRun", "All")) }
        let body: Data
        do {
            body = try patch.body()
        } catch {
            throw KubeClientError.invalidRequest(reason: "cannot encode patch: \(error)")
        }
        let request = KubeRequest(
            method: .PATCH,
            path: try path(type, namespace: resolvedNamespace(type, namespace), name: name, subresource: subresource),
            query: query, body: body, contentType: patch.contentType, retryClass: patch.retryClass)
        return (try await transport.execute(request), request.summary)
    }

    // MARK: Conflicts

    /// Runs `body` again (up to `attempts` times) while it fails with 409 Conflict, like
    /// client-go's `RetryOnConflict`: `body` must re-read the object each time.
    public func retryOnConflict<R: Sendable>(
        attempts: Int = 5, _ body: () async throws -> R
    ) async throws -> R {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch let error as KubeClientError where error.isConflict && attempt < attempts {
                logger.debug("conflict; retrying", metadata: ["attempt": "\(attempt)"])
                try await transport.options.clock.sleep(for: .milliseconds(10 * attempt))
            }
        }
    }
}
