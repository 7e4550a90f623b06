import KubeModels
import MendTime
import NIOCore
import NIOHTTP1
import Synchronization

/// Streams watch events to one HTTP connection without ever blocking the store.
///
/// Events are queued (bounded) and written in batches on the connection's event loop while the
/// channel is writable. A client that stops reading lets the queue fill; past `limit` the watch is
/// closed, as the API server drops watchers that cannot keep up.
final class HTTPWatchSink: WatchSink {
    private struct State {
        var pending: [(StoreEvent, WatchEventType)] = []
        var flushScheduled = false
        var finished = false
        var finalError: APIError?
    }

    let channel: any Channel
    let limit: Int
    /// How objects are shown (full objects share the store's encoded bytes).
    let representation: Representation
    let resource: ResourceDescriptor
    let clock: any MendClock
    private let state = Mutex(State())

    init(channel: any Channel, limit: Int, representation: Representation = .full, resource: ResourceDescriptor,
         clock: any MendClock) {
        self.channel = channel
        self.limit = limit
        self.representation = representation
        self.resource = resource
        self.clock = clock
    }

    func send(_ event: StoreEvent, as type: WatchEventType) -> Bool {
        let (accepted, schedule) = state.withLock { s -> (Bool, Bool) in
            if s.finished { return (false, false) }
            s.pending.append((event, type))
            if s.pending.count > limit {
                s.finished = true
                s.pending.removeAll()
                return (false, true)
            }
            if s.flushScheduled { return (true, false) }
            s.flushScheduled = true
            return (true, true)
        }
        if schedule {
            if accepted {
                channel.eventLoop.execute { self.flush() }
            } else {
                channel.eventLoop.execute { self.channel.close(promise: nil) }
            }
        }
        return accepted
    }

    func finish(error: APIError?) {
        let first = state.withLock { s -> Bool in
            if s.finished { return false }
            s.finished = true
            s.finalError = error
            return true
        }
        guard first else { return }
        channel.eventLoop.execute { self.flush(ending: true) }
    }

    /// Writes queued events (on the event loop). With `ending`, also the final error and the end
    /// of the response, then closes the connection.
    func flush(ending: Bool = false) {
        let isEnding = ending || state.withLock { $0.finished && $0.finalError != nil }
        guard channel.isWritable || isEnding else {
            state.withLock { $0.flushScheduled = false }
            return  // channelWritabilityChanged calls flush again
        }
        let (batch, error) = state.withLock { s -> ([(StoreEvent, WatchEventType)], APIError?) in
            let batch = s.pending
            s.pending.removeAll(keepingCapacity: true)
            s.flushScheduled = false
            return (batch, isEnding ? s.finalError : nil)
        }
        if !batch.isEmpty {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(batch.reduce(0) { $0 + $1.0.object.json.count + 40 })
            for (event, type) in batch {
                switch representation {
                case .full:
                    event.writeLine(as: type, into: &bytes)
                case _ where type == .bookmark:
                    event.writeLine(as: type, into: &bytes)
                case .table(let includeObject):
                    bytes.append(contentsOf: Array("{\"type\":\"\(type.rawValue)\",\"object\":".utf8))
                    bytes.append(contentsOf: Tables.table(for: resource, items: [event.object],
                                                          resourceVersion: event.resourceVersion, continueToken: nil,
                                                          remaining: nil, includeObject: includeObject, now: clock.now))
                    bytes.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
                case .metadata:
                    bytes.append(contentsOf: Array("{\"type\":\"\(type.rawValue)\",\"object\":".utf8))
                    JSONCodec.write(Representation.partialMetadata(event.object), into: &bytes)
                    bytes.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
                }
            }
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
        }
        guard isEnding else { return }
        if let error {
            var line: [UInt8] = Array("{\"type\":\"ERROR\",\"object\":".utf8)
            JSONCodec.write(error.status, into: &line)
            line.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
            var buffer = channel.allocator.buffer(capacity: line.count)
            buffer.writeBytes(line)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
        }
        let channel = self.channel
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
    }
}

extension ClusterStore {
    /// Queues a BOOKMARK carrying the current revision on one watch (in order with its events).
    func bookmark(_ id: WatchID, resource: ResourceDescriptor, initialEventsEnd: Bool = false) {
        state.withLock { s in
            guard let watcher = s.watchers[id.raw] else { return }
            var metadata: JSONValue = ["resourceVersion": .string(String(s.revision))]
            if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
            let object = StoredObject(value: ["kind": .string(resource.kind), "apiVersion": .string(resource.apiVersion),
                                              "metadata": metadata], resourceVersion: s.revision)
            let event = StoreEvent(type: .bookmark, object: object, previous: nil, resourceKey: watcher.resourceKey)
            if !watcher.sink.send(event, as: .bookmark) { s.watchers[id.raw] = nil }
        }
    }
}
