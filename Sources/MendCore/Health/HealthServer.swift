import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// The HTTP/1.1 endpoint kubelet and Prometheus talk to:
///
/// - `GET /healthz`: 200 when every liveness check passes, else 503 with the failing checks.
/// - `GET /readyz`: 200 when every readiness gate is ready, else 503 with the gates that are not.
/// - `GET /metrics`: the Prometheus text exposition of `registry`.
///
/// Add `?verbose` to `/healthz` or `/readyz` for every check's state. Runs as a `Service` in a
/// `ServiceGroup`; stops listening on graceful shutdown.
public final class HealthServer: Service, Sendable {
    public let address: ListenAddress
    let checks: HealthChecks
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    private let group: any EventLoopGroup

    public init(
        address: ListenAddress, checks: HealthChecks, registry: PrometheusCollectorRegistry, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.address = address
        self.checks = checks
        self.registry = registry
        self.logger = logger
        self.group = eventLoopGroup
    }

    /// Binds the socket; the returned channel serves until closed. Exposed for tests that want
    /// the bound port (`address` with port 0).
    public func bind() async throws -> any Channel {
        let checks = self.checks
        let registry = self.registry
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HealthHTTPHandler(checks: checks, registry: registry))
                }
            }
            .bind(host: address.host, port: address.port).get()
    }

    /// Serves until the surrounding task is cancelled or graceful shutdown begins.
    public func run() async throws {
        let channel = try await bind()
        logger.info("health and metrics server listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "\(address)")"])
        try? await gracefulShutdown()
        try? await channel.close()
        logger.info("health and metrics server stopped")
    }
}

/// Answers one request at a time per connection (keep-alive honoured).
final class HealthHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let checks: HealthChecks
    let registry: PrometheusCollectorRegistry
    private var head: HTTPRequestHead?

    init(checks: HealthChecks, registry: PrometheusCollectorRegistry) {
        self.checks = checks
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head = request
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            respond(to: request, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let (path, query) = Self.split(request.uri)
        let verbose = query.split(separator: "&").contains { $0 == "verbose" || $0.hasPrefix("verbose=") }
        var status = HTTPResponseStatus.ok
        var contentType = "text/plain; charset=utf-8"
        var body: [UInt8]
        if request.method != .GET && request.method != .HEAD {
            status = .methodNotAllowed
            body = Array("only GET and HEAD are supported\n".utf8)
        } else {
            switch path {
            case "/healthz", "/livez":
                (status, body) = Self.report(checks.liveness(), kind: "liveness", verbose: verbose)
            case "/readyz":
                (status, body) = Self.report(checks.readiness(), kind: "readiness", verbose: verbose)
            case "/metrics":
                contentType = "text/plain; version=0.0.4; charset=utf-8"
                body = registry.emitToBuffer()
            default:
                status = .notFound
                body = Array("not found; try /healthz, /readyz or /metrics\n".utf8)
            }
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Cache-Control", value: "no-store")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    static func split(_ uri: String) -> (String, Substring) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<mark]), uri[uri.index(after: mark)...])
    }

    static func report(_ results: [(name: String, status: HealthStatus)], kind: String, verbose: Bool) -> (HTTPResponseStatus, [UInt8]) {
        let failing = results.filter { !$0.status.isHealthy }
        var text = ""
        for result in results where verbose || !result.status.isHealthy {
            switch result.status {
            case .healthy: text += "[+] \(result.name) ok\n"
            case .unhealthy(let reason): text += "[-] \(result.name) failed: \(reason)\n"
            }
        }
        if failing.isEmpty {
            text += "\(kind) check passed\n"
            return (.ok, Array(text.utf8))
        }
        text += "\(kind) check failed\n"
        return (.serviceUnavailable, Array(text.utf8))
    }
}
