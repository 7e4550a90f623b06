import KubeModels

/// Filters and paging for LIST requests.
public struct ListOptions: Sendable, Hashable {
    /// A label selector in the API's string form, e.g. `app=web,tier!=db`.
    public var labelSelector: String?
    /// A field selector in the API's string form, e.g. `spec.nodeName=node-1`.
    public var fieldSelector: String?
    /// The page size; `nil` asks for everything at once.
    public var limit: Int?
    /// The continue token of the previous page.
    public var `continue`: String?
    /// `resourceVersion` semantics as the API defines them (`"0"` = any cached state is fine).
    public var resourceVersion: String?
    /// `NotOlderThan` or `Exact`, only with ``resourceVersion``.
    public var resourceVersionMatch: String?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continue: String? = nil,
        resourceVersion: String? = nil, resourceVersionMatch: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continue = `continue`
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
    }

    /// Options from typed selectors.
    public init(labels: LabelQuery? = nil, fields: FieldSelector? = nil, limit: Int? = nil) {
        self.init(
            labelSelector: labels.flatMap { $0.isEverything ? nil : $0.description },
            fieldSelector: fields.flatMap { $0.isEverything ? nil : $0.description },
            limit: limit)
    }

    var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit, limit > 0 { items.append(("limit", String(limit))) }
        if let token = self.continue, !token.isEmpty { items.append(("continue", token)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { items.append(("resourceVersionMatch", resourceVersionMatch)) }
        return items
    }
}

/// Options for a WATCH request.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this resourceVersion (from a LIST or the last event seen).
    public var resourceVersion: String?
    /// Ask the server for BOOKMARK events carrying fresh resourceVersions.
    public var allowWatchBookmarks: Bool
    /// The server ends the watch cleanly after this many seconds.
    public var timeoutSeconds: Int?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion, !resourceVersion.isEmpty { items.append(("resourceVersion", resourceVersion)) }
        if allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        return items
    }
}
