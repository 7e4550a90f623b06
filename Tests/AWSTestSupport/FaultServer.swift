import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request the fault server received.
public struct ReceivedRequest: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(String, String)]
    public var body: String

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// The decoded form fields of a Query request body.
    public var form: [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }
}

/// What the fault server answers.
public struct ScriptedResponse: Sendable {
    public var status: Int = 200
    public var headers: [(String, String)] = []
    public var body: String = ""
    /// Real time to wait before answering (to provoke client timeouts).
    public var delay: Duration = .zero

    public init(status: Int = 200, headers: [(String, String)] = [], body: String = "", delay: Duration = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 for failures a real emulator cannot produce: throttling,
/// 5xx, clock skew, slow or absent metadata services, container credential endpoints.
public final class FaultServer: Sendable {
    public typealias Handler = @Sendable (ReceivedRequest) -> ScriptedResponse

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let recorder: Recorder

    private final class Recorder: Sendable {
        let requests = Mutex<[ReceivedRequest]>([])
        func append(_ request: ReceivedRequest) { requests.withLock { $0.append(request) } }
    }
    public let port: Int

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var requests: [ReceivedRequest] { recorder.requests.withLock { $0 } }

    public init(handler: @escaping Handler) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let recorder = Recorder()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(RequestHandler(handler: handler, record: { request in
                        recorder.append(request)
                    }))
                }
            }
        self.channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        self.group = group
        self.recorder = recorder
        self.port = channel.localAddress?.port ?? 0
    }

    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    /// Runs `body` with a server and always shuts it down.
    public static func with<T: Sendable>(_ handler: @escaping Handler, _ body: (FaultServer) async throws -> T) async throws -> T {
        let server = try await FaultServer(handler: handler)
        do {
            let value = try await body(server)
            await server.shutdown()
            return value
        } catch {
            await server.shutdown()
            throw error
        }
    }
}

private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let handler: FaultServer.Handler
    let record: @Sendable (ReceivedRequest) -> Void
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(handler: @escaping FaultServer.Handler, record: @escaping @Sendable (ReceivedRequest) -> Void) {
        self.handler = handler
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            let request = ReceivedRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) }, body: String(decoding: body, as: UTF8.self)
            )
            record(request)
            let response = handler(request)
            let keepAlive = head.isKeepAlive
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let write: @Sendable () -> Void = {
                let (handler, context) = loopBound.value
                handler.write(response, keepAlive: keepAlive, context: context)
            }
            if response.delay == .zero {
                write()
            } else {
                let nanoseconds = Int64(response.delay.components.seconds) * 1_000_000_000 + response.delay.components.attoseconds / 1_000_000_000
                context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { write() }
            }
        }
    }

    private func write(_ response: ScriptedResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.utf8.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// An XML Query error document as AWS writes it.
public func queryErrorBody(code: String, message: String) -> String {
    """
    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>\(code)</Code>\
    <Message>\(message)</Message></Error><RequestId>req-\(code)</RequestId></ErrorResponse>
    """
}

/// A 127.0.0.1 port on which nothing listens (bound, then released).
public func closedLoopbackPort() throws -> Int {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    defer { try? group.syncShutdownGracefully() }
    let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress?.port ?? 0
    try channel.close().wait()
    return port
}
