/// An events.k8s.io/v1 Event (the newer event API that recorders write).
public struct EventsV1Event: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.eventsV1

    public var apiVersion = APIVersionField<EventsV1Event>()
    public var kind = KindField<EventsV1Event>()
    public var metadata: ObjectMeta
    /// When the event first happened (required by the API for new events).
    public var eventTime: MicroTime?
    public var series: EventSeries?
    /// The controller that emitted the event, e.g. `mend.dev/drainer`.
    public var reportingController: String?
    /// The emitting instance, e.g. the pod name.
    public var reportingInstance: String?
    public var action: String?
    public var reason: String?
    /// The object this event is about.
    public var regarding: ObjectReference?
    public var related: ObjectReference?
    /// The human-readable description.
    public var note: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var deprecatedSource: EventSource?
    public var deprecatedFirstTimestamp: KubeTime?
    public var deprecatedLastTimestamp: KubeTime?
    public var deprecatedCount: Int32?

    public init(
        metadata: ObjectMeta, eventTime: MicroTime? = nil, series: EventSeries? = nil,
        reportingController: String? = nil, reportingInstance: String? = nil, action: String? = nil,
        reason: String? = nil, regarding: ObjectReference? = nil, related: ObjectReference? = nil,
        note: String? = nil, type: String? = nil
    ) {
        self.metadata = metadata
        self.eventTime = eventTime
        self.series = series
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.regarding = regarding
        self.related = related
        self.note = note
        self.type = type
    }
}
