import Foundation
import KubeModels
import MendTime
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// # ClusterSim
///
/// Mend's own Kubernetes API server: an in-memory store with the API server's REST semantics,
/// served over real HTTP(S) on 127.0.0.1 so that Mend's programs, KubeClient and the real
/// `kubectl` all drive it unchanged.
///
/// The parts, from the inside out:
///
/// - ``ClusterStore`` (`Store/`): objects as lossless JSON, one global resourceVersion, watch
///   history with compaction, optimistic concurrency, generation, status isolation, graceful
///   deletion, finalizers, owner-reference garbage collection, label and field selectors, paging.
///   Its Swift API is what the simulation (scheduler, kubelets, controllers) builds on.
/// - Patches (`Patch/`): JSON merge patch, JSON patch, strategic merge patch with the API's
///   patch metadata, and a simplified server-side apply.
/// - Policy (`Policy/`): the eviction subresource's decision and the disruption controller that
///   keeps PodDisruptionBudget status current; the binding subresource.
/// - The HTTP layer (`Server/`): routing, discovery, server-side tables, a minimal OpenAPI v3,
///   watch streaming with bounded per-watcher buffers.
/// - ``ClusterSimServer``: starts and stops the server (TLS and authentication optional), with an
///   ``AuditLog`` of every write, a ``FaultInjector`` and kubeconfig writing.
///
/// ```swift
/// var configuration = ClusterSimServer.Configuration()
/// configuration.tls = true
/// configuration.tokens = ["secret": "admin"]
/// let server = try await ClusterSimServer.start(configuration)
/// let kubeconfig = try server.writeKubeconfig()      // for kubectl or KubeClient
/// server.faults.failNext(2, code: 429, retryAfterSeconds: 1, matching: .init(verb: "list", resource: "pods"))
/// ...
/// #expect(server.audit.writes.isEmpty)               // "the dry run wrote nothing"
/// try await server.shutdown()
/// ```
public final class ClusterSimServer: Sendable {
    /// How to run the server.
    public struct Configuration: Sendable {
        /// Address to listen on.
        public var host: String = "127.0.0.1"
        /// Port (0: any free port; read the chosen one from ``ClusterSimServer/port``).
        public var port: Int = 0
        /// Serve HTTPS with a freshly generated CA; client certificates signed by it authenticate.
        public var tls: Bool = false
        /// Bearer token → user name. When non-empty, requests need a valid token (or client certificate).
        public var tokens: [String: String] = [:]
        /// Refuse anonymous requests even without tokens (client certificates only).
        public var requireAuthentication: Bool = false
        /// How often a watch that allows bookmarks receives one.
        public var bookmarkInterval: Duration = .seconds(60)
        /// Events a watch may have waiting before it is closed as too slow.
        public var watchBufferLimit: Int = 100_000
        /// Recent changes kept for resuming watches.
        public var historyLimit: Int = 20_000
        /// Time source for timestamps and disruption expiry.
        public var clock: any MendClock = SystemClock()

        public init() {}
    }

    /// The objects. Use it directly to seed state or act as a controller.
    public let store: ClusterStore
    /// Every write request served over HTTP.
    public let audit: AuditLog
    /// Injected failures and latency for HTTP requests.
    public let faults: FaultInjector
    /// The CA (when serving TLS).
    public let certificateAuthority: CertificateAuthority?
    public let configuration: Configuration

    private let channel: Mutex<(any Channel)?> = Mutex(nil)
    private let boundPort: Mutex<Int> = Mutex(0)
    private let controllerTask: Mutex<RepeatedTask?> = Mutex(nil)
    /// Open client connections, closed on shutdown.
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])

    private init(configuration: Configuration, store: ClusterStore, certificateAuthority: CertificateAuthority?) {
        self.configuration = configuration
        self.store = store
        self.audit = AuditLog()
        self.faults = FaultInjector()
        self.certificateAuthority = certificateAuthority
    }

    /// Starts a server; returns once it listens.
    ///
    /// - Parameter store: an existing store to serve (default: a new one with the standard resources).
    public static func start(_ configuration: Configuration = Configuration(),
                             store: ClusterStore? = nil) async throws -> ClusterSimServer {
        let ca = configuration.tls ? try CertificateAuthority() : nil
        let store = store ?? ClusterStore(clock: configuration.clock, historyLimit: configuration.historyLimit)
        let server = ClusterSimServer(configuration: configuration, store: store, certificateAuthority: ca)
        try await server.bind()
        return server
    }

    private func makeSSLContext() throws -> NIOSSLContext? {
        guard let ca = certificateAuthority else { return nil }
        let issued = try ca.issueServerCertificate()
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(issued.certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(issued.privateKeyPEM.utf8), format: .pem)))
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.certificatePEM.utf8)))
        // Client certificates are optional (tokens work too) but must be signed by the CA when presented.
        tls.certificateVerification = .optionalVerification
        return try NIOSSLContext(configuration: tls)
    }

    private func bind() async throws {
        let sslContext = try makeSSLContext()
        let authenticator = Authenticator(tokens: configuration.tokens,
                                          required: !configuration.tokens.isEmpty || configuration.requireAuthentication)
        let service = APIService(store: store, audit: audit, faults: faults) { [weak self] in
            "\(self?.configuration.host ?? "127.0.0.1"):\(self?.port ?? 0)"
        }
        let bookmarkInterval = configuration.bookmarkInterval
        let watchBufferLimit = configuration.watchBufferLimit
        let group = MultiThreadedEventLoopGroup.singleton
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 4 * 1024 * 1024))
            .childChannelInitializer { [weak self] channel in
                if let self {
                    let id = ObjectIdentifier(channel)
                    self.connections.withLock { $0[id] = channel }
                    channel.closeFuture.whenComplete { [weak self] _ in self?.connections.withLock { _ = $0.removeValue(forKey: id) } }
                }
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HTTPChannelHandler(
                        service: service, authenticator: authenticator, bookmarkInterval: bookmarkInterval,
                        watchBufferLimit: watchBufferLimit))
                }
            }
        let serverChannel: any Channel
        do {
            serverChannel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw ClusterSimError.cannotListen(host: configuration.host, port: configuration.port, reason: String(describing: error))
        }
        channel.withLock { $0 = serverChannel }
        boundPort.withLock { $0 = serverChannel.localAddress?.port ?? configuration.port }
        // The disruption controller: keeps PDB status current for watchers, too.
        let store = self.store
        let task = serverChannel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(250)) { _ in
            store.reconcileDisruptionBudgets()
        }
        controllerTask.withLock { $0 = task }
    }

    /// The port the server listens on.
    public var port: Int { boundPort.withLock { $0 } }

    /// `http://127.0.0.1:PORT` or `https://...`.
    public var url: String { "\(configuration.tls ? "https" : "http")://\(configuration.host):\(port)" }

    /// Stops listening, ends every watch and closes the server socket and open connections.
    public func shutdown() async throws {
        controllerTask.withLock { $0?.cancel(); $0 = nil }
        store.closeAllWatches()
        let serverChannel = channel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try await serverChannel?.close()
        let open = connections.withLock { Array($0.values) }
        for connection in open { connection.close(promise: nil) }
    }

    /// Runs until the calling task is cancelled, then shuts down.
    public func runUntilCancelled() async throws {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        try await shutdown()
    }

    // MARK: Faults that act on the store

    /// Ends every open watch now (clients see their streams end and must re-watch).
    public func closeAllWatches() { store.closeAllWatches() }

    /// Forgets the watch history: resuming from any earlier resourceVersion gets 410 Expired.
    public func compactHistory() { store.compactHistory() }

    /// What clients see when an API server restarts: every watch ends and the history is gone, so
    /// each client must relist (its resume gets 410 Expired). The objects themselves survive, as
    /// they do in etcd.
    public func simulateRestart() {
        store.compactHistory()
        store.closeAllWatches()
    }
}

/// Why ClusterSim could not start.
public enum ClusterSimError: Error, CustomStringConvertible {
    /// Binding the listening socket failed (port in use, address not local, ...).
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            return "ClusterSim cannot listen on \(host):\(port): \(reason). Choose another --port, or 0 for any free port."
        }
    }
}
