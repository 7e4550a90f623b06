/// `metav1.ListMeta`: the metadata of a list response.
public struct ListMeta: Codable, Sendable, Hashable {
    /// The version to start a watch from after this list.
    public var resourceVersion: String?
    /// The token for the next page; absent or empty on the last page.
    public var `continue`: String?
    /// An estimate of the items left after this page (when paging).
    public var remainingItemCount: Int64?
    /// Deprecated; kept for older servers.
    public var selfLink: String?

    public init(
        resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil,
        selfLink: String? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
        self.selfLink = selfLink
    }
}

/// A list response (`PodList`, `NodeList`, ...).
///
/// `Item` is usually a ``KubernetesObject``; ClusterSim may also use ``JSONValue`` items, and
/// informers may decode lists of ``PodSummary``.
/// When `apiVersion`/`kind` are absent on decode they default from the item type.
public struct ObjectList<Item: Sendable>: Sendable {
    /// E.g. `v1`.
    public var apiVersion: String
    /// E.g. `PodList`.
    public var kind: String
    /// The list's resource version and paging token.
    public var metadata: ListMeta
    /// The objects (never nil: an absent or null `items` decodes as empty).
    public var items: [Item]

    public init(apiVersion: String, kind: String, metadata: ListMeta = ListMeta(), items: [Item]) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }

}

extension ObjectList: Decodable where Item: Decodable {
    private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = (Item.self as? any KubernetesObject.Type)?.resourceType
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? type?.apiVersion ?? "v1"
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? type?.listKind ?? "List"
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // The API server sends `"items": null` for some empty lists.
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

extension ObjectList: Encodable where Item: Encodable {
    private enum EncodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: EncodingKeys.self)
        try c.encode(apiVersion, forKey: .apiVersion)
        try c.encode(kind, forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(items, forKey: .items)
    }
}

extension ObjectList where Item: KubernetesObject {
    /// A list of typed objects with `apiVersion` and `kind` taken from the item type.
    public init(metadata: ListMeta = ListMeta(), items: [Item]) {
        self.init(
            apiVersion: Item.resourceType.apiVersion, kind: Item.resourceType.listKind, metadata: metadata,
            items: items)
    }
}

extension ObjectList: Equatable where Item: Equatable {}
extension ObjectList: Hashable where Item: Hashable {}
