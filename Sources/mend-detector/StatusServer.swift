import Detector
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `/metrics` (Prometheus text) and `/healthz` (fails while a source has stalled) over HTTP.
///
/// Kept here until MendCore's shared health and metrics server lands; it then replaces this file.
enum StatusServer {
    static func start(host: String, port: Int, metrics: DetectorMetrics, stallThreshold: TimeInterval) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(metrics: metrics, stallThreshold: stallThreshold))
                }
            }
            .bind(host: host, port: port).get()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        // Used only on its channel's event loop.
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let metrics: DetectorMetrics
        let stallThreshold: TimeInterval
        private var path = "/"

        init(metrics: DetectorMetrics, stallThreshold: TimeInterval) {
            self.metrics = metrics
            self.stallThreshold = stallThreshold
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                path = head.uri
            case .body:
                break
            case .end:
                let (status, body, type): (HTTPResponseStatus, String, String)
                switch path.split(separator: "?").first.map(String.init) ?? path {
                case "/metrics":
                    (status, body, type) = (.ok, metrics.prometheusText(), "text/plain; version=0.0.4")
                case "/healthz":
                    let stalled = metrics.stalledSources(threshold: stallThreshold)
                    (status, body, type) = stalled.isEmpty
                        ? (.ok, "ok\n", "text/plain")
                        : (.serviceUnavailable, "stalled sources: \(stalled.joined(separator: ", "))\n", "text/plain")
                default:
                    (status, body, type) = (.notFound, "not found\n", "text/plain")
                }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: type)
                headers.add(name: "Content-Length", value: "\(body.utf8.count)")
                headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
