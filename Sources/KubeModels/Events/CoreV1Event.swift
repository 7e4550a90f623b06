/// A core/v1 Event (what `kubectl get events` and `kubectl describe` show).
public struct CoreV1Event: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.events

    public var apiVersion = APIVersionField<CoreV1Event>()
    public var kind = KindField<CoreV1Event>()
    public var metadata: ObjectMeta
    /// The object this event is about.
    public var involvedObject: ObjectReference
    /// A short, CamelCase reason such as `NodeNotReady`.
    public var reason: String?
    public var message: String?
    public var source: EventSource?
    public var firstTimestamp: KubeTime?
    public var lastTimestamp: KubeTime?
    public var count: Int32?
    /// `Normal` or `Warning`.
    public var type: String?
    public var eventTime: MicroTime?
    public var series: EventSeries?
    public var action: String?
    public var related: ObjectReference?
    public var reportingComponent: String?
    public var reportingInstance: String?

    public init(
        metadata: ObjectMeta, involvedObject: ObjectReference, reason: String? = nil, message: String? = nil,
        source: EventSource? = nil, firstTimestamp: KubeTime? = nil, lastTimestamp: KubeTime? = nil,
        count: Int32? = nil, type: String? = nil, eventTime: MicroTime? = nil, series: EventSeries? = nil,
        action: String? = nil, related: ObjectReference? = nil, reportingComponent: String? = nil,
        reportingInstance: String? = nil
    ) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.source = source
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.count = count
        self.type = type
        self.eventTime = eventTime
        self.series = series
        self.action = action
        self.related = related
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
    }
}

/// `core/v1.EventSource`.
public struct EventSource: Codable, Sendable, Hashable {
    public var component: String?
    public var host: String?

    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}

/// An event series: the same event seen `count` times, last at `lastObservedTime`.
public struct EventSeries: Codable, Sendable, Hashable {
    public var count: Int32
    public var lastObservedTime: MicroTime

    public init(count: Int32, lastObservedTime: MicroTime) {
        self.count = count
        self.lastObservedTime = lastObservedTime
    }
}

/// The event types.
public enum EventType {
    public static let normal = "Normal"
    public static let warning = "Warning"
}
