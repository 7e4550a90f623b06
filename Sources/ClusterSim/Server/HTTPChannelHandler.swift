import Foundation
import KubeModels
import NIOCore
import NIOHTTP1
import NIOSSL
import X509

/// Who may call the API server.
struct Authenticator: Sendable {
    /// Bearer token → user name.
    var tokens: [String: String]
    /// Whether requests without valid credentials are refused (401).
    var required: Bool

    /// The user, or `nil` when the request must be refused.
    func user(authorization: String?, clientCertificateCN: String?) -> String? {
        if let authorization, authorization.lowercased().hasPrefix("bearer ") {
            let token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            return tokens[token]
        }
        if let clientCertificateCN { return clientCertificateCN }
        return required ? nil : "anonymous"
    }
}

/// One HTTP/1.1 connection: reads requests, answers them through ``APIService``, streams watches.
final class HTTPChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxBodyBytes = 32 * 1024 * 1024

    let service: APIService
    let authenticator: Authenticator
    let bookmarkInterval: Duration
    let watchBufferLimit: Int

    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var watch: (id: WatchID, sink: HTTPWatchSink)?
    private var watchTasks: [Scheduled<Void>] = []
    private var repeatedTasks: [RepeatedTask] = []

    init(service: APIService, authenticator: Authenticator, bookmarkInterval: Duration, watchBufferLimit: Int) {
        self.service = service
        self.authenticator = authenticator
        self.bookmarkInterval = bookmarkInterval
        self.watchBufferLimit = watchBufferLimit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.removeAll(keepingCapacity: true)
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > Self.maxBodyBytes { tooLarge = true; return }
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            guard let head, watch == nil else { return }
            self.head = nil
            respond(context: context, head: head)
        }
    }

    private func clientCertificateCN(context: ChannelHandlerContext) -> String? {
        guard let ssl = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
              let peer = ssl.peerCertificate, let der = try? peer.toDERBytes(),
              let certificate = try? Certificate(derEncoded: der) else { return nil }
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return nil
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let keepAlive = head.isKeepAlive
        if tooLarge {
            write(context: context, response: .error(APIError(code: 413, reason: "RequestEntityTooLarge",
                                                                message: "Request entity too large: limit is 3145728")),
                  keepAlive: false)
            return
        }
        let (path, query) = APIRequest.parse(uri: head.uri)
        let open = path == "/healthz" || path == "/livez" || path == "/readyz" || path == "/version"
        let user = authenticator.user(authorization: head.headers.first(name: "authorization"),
                                      clientCertificateCN: clientCertificateCN(context: context))
        guard let user = user ?? (open ? "anonymous" : nil) else {
            write(context: context, response: .error(.unauthorized()), keepAlive: keepAlive)
            return
        }
        let request = APIRequest(method: head.method, path: path, query: query, headers: head.headers, body: body, user: user)
        body = []
        let (response, delay) = service.handle(request)
        if delay > .zero {
            let nanos = Int64(delay.components.seconds) * 1_000_000_000 + Int64(delay.components.attoseconds / 1_000_000_000)
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanos)) {
                self.write(context: loopBoundContext.value, response: response, keepAlive: keepAlive)
            }
        } else {
            write(context: context, response: response, keepAlive: keepAlive)
        }
    }

    private func write(context: ChannelHandlerContext, response: APIResponse, keepAlive: Bool) {
        switch response {
        case .json(let status, let bytes, let extra):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(bytes.count))
            headers.add(name: "Cache-Control", value: "no-cache, private")
            for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        case .watch(let plan):
            startWatch(context: context, plan: plan)
        }
    }

    private func startWatch(context: ChannelHandlerContext, plan: WatchPlan) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let sink = HTTPWatchSink(channel: context.channel, limit: watchBufferLimit, representation: plan.representation,
                                 resource: plan.resource, clock: service.store.clock)
        let id: WatchID
        do {
            id = try service.store.register(plan.resource, filter: plan.filter, start: plan.start, sink: sink)
        } catch {
            // A watch that cannot start answers 200 with one ERROR event, as the API server does.
            sink.finish(error: error)
            watch = (WatchID(raw: 0), sink)
            return
        }
        watch = (id, sink)
        let store = service.store
        if plan.initialEventsEndBookmark {
            store.bookmark(id, resource: plan.resource, initialEventsEnd: true)
        }
        let loop = context.eventLoop
        if let timeout = plan.timeout {
            let bookmarks = plan.bookmarks
            let resource = plan.resource
            watchTasks.append(loop.scheduleTask(in: .seconds(Int64(timeout.components.seconds))) {
                if bookmarks { store.bookmark(id, resource: resource) }
                store.cancel(id)
            })
        }
        if plan.bookmarks {
            let interval = TimeAmount.nanoseconds(Int64(bookmarkInterval.asSeconds * 1e9))
            let resource = plan.resource
            repeatedTasks.append(loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                store.bookmark(id, resource: resource)
            })
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { watch?.sink.flush() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let watch { service.store.cancel(watch.id) }
        watch = nil
        for task in watchTasks { task.cancel() }
        for task in repeatedTasks { task.cancel() }
        watchTasks = []
        repeatedTasks = []
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

extension Duration {
    fileprivate var asSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
