import AsyncHTTPClient
import Foundation
import Logging
import MendTime
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// Knobs of a ``KubernetesClient``'s transport.
public struct KubeClientOptions: Sendable {
    /// Sent as `User-Agent`; build it with ``UserAgent/make(program:version:)``.
    public var userAgent: String
    /// Client-side rate limit (client-go defaults: QPS 5, burst 10). `qps <= 0` disables it.
    public var qps: Double
    public var burst: Int
    /// Retries for failed requests (see ``RetryClass`` for which requests retry on what).
    public var retry: RetryPolicy
    /// How long one attempt of an ordinary request may take.
    public var requestTimeout: Duration
    /// How long establishing a TCP/TLS connection may take.
    public var connectTimeout: Duration
    /// The largest response body accepted (a LIST of a big cluster can be large).
    public var maxResponseBytes: Int
    /// The clock used for rate limiting, backoff and credential expiry.
    public var clock: any MendClock
    /// How many HTTP/1.1 connections to the API server may be open at once. Every open watch
    /// (informer) holds one, so this must exceed the number of watches plus request concurrency.
    public var maxConnectionsPerHost: Int

    public init(
        userAgent: String = UserAgent.make(program: "mend", version: "0.1.0"),
        qps: Double = 5,
        burst: Int = 10,
        retry: RetryPolicy = .default,
        requestTimeout: Duration = .seconds(60),
        connectTimeout: Duration = .seconds(10),
        maxResponseBytes: Int = 1 << 30,
        clock: any MendClock = SystemClock(),
        maxConnectionsPerHost: Int = 64
    ) {
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.userAgent = userAgent
        self.qps = qps
        self.burst = burst
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.clock = clock
    }
}

/// The HTTP layer under ``KubernetesClient``: TLS, authentication, rate limiting, retries, timeouts.
final class KubeTransport: Sendable {
    let configuration: KubeConfiguration
    let options: KubeClientOptions
    let logger: Logger
    let rateLimiter: TokenBucketRateLimiter
    private let http: HTTPClient
    private let baseURL: String
    private let credentials: (any CredentialProvider)?
    private let baseTLS: TLSConfiguration?
    /// TLS configurations built for exec-plugin client certificates, by certificate.
    private let certificateTLS = Mutex<[ClientCertificate: TLSConfiguration]>([:])
    private let requestCounter = Atomic<Int>(0)

    init(
        configuration: KubeConfiguration,
        options: KubeClientOptions,
        credentials: (any CredentialProvider)?,
        logger: Logger
    ) throws {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        self.credentials = credentials
        self.rateLimiter = TokenBucketRateLimiter(qps: options.qps, burst: options.burst, clock: options.clock)

        var components = URLComponents(url: configuration.server, resolvingAgainstBaseURL: false)
        let isHTTPS = components?.scheme?.lowercased() == "https"
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(connect: .nanoseconds(Int64(options.connectTimeout.seconds * 1e9)))
        httpConfiguration.redirectConfiguration = .disallow
        // Each watch holds an HTTP/1.1 connection for its whole life; with AsyncHTTPClient's default
        // of 8 connections per host, a program with several informers would starve its own requests.
        httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.maxConnectionsPerHost
        if let proxy = configuration.proxy {
            switch proxy.kind {
            case .http:
                let authorization = proxy.username.map {
                    HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "")
                }
                httpConfiguration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
            case .socks5:
                httpConfiguration.proxy = .socksServer(host: proxy.host, port: proxy.port)
            }
        }
        if isHTTPS {
            let tls = try Self.makeTLS(configuration.tls, clientCertificate: configuration.tls.clientCertificate)
            httpConfiguration.tlsConfiguration = tls
            baseTLS = tls
            if configuration.tls.insecureSkipTLSVerify {
                logger.warning(
                    "TLS verification of the API server is OFF (insecure-skip-tls-verify); anyone on the path can impersonate it",
                    metadata: ["server": "\(configuration.server.absoluteString)"])
            }
            // tls-server-name: connect to the real host but verify (and send SNI) as serverName.
            if let serverName = configuration.tls.serverName, let realHost = components?.host,
                serverName != realHost
            {
                httpConfiguration.dnsOverride = [serverName: realHost]
                components?.host = serverName
            }
        } else {
            baseTLS = nil
        }
        var base = components?.string ?? configuration.server.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    }

    static func makeTLS(_ settings: TLSSettings, clientCertificate: ClientCertificate?) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = settings.certificateAuthorityPEM {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
        }
        if settings.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        }
        if let certificate = clientCertificate {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate.certificatePEM).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: certificate.privateKeyPEM, format: .pem))
        }
        return tls
    }

    /// How many HTTP requests were sent (every attempt counts).
    var requestsSent: Int { requestCounter.load(ordering: .relaxed) }

    func shutdown() async throws {
        try await http.shutdown()
    }

    // MARK: Requests

    /// Sends `request` with retries and returns the full answer if it is a 2xx.
    ///
    /// - Throws: ``KubeClientError/api(_:)`` for error statuses (after retries), or a transport error.
    func execute(_ request: KubeRequest) async throws -> KubeResponse {
        let timeout = request.timeout ?? options.requestTimeout
        return try await withRetries(request) { http, prepared in
            let response = try await http.execute(prepared, timeout: Self.timeAmount(timeout), logger: nil)
            let body = try await response.body.collect(upTo: self.options.maxResponseBytes)
            let answer = KubeResponse(
                status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
            return (200..<300).contains(answer.status) ? .done(answer) : .failed(answer)
        }
    }

    /// Opens a streamed request (a watch). Retries happen only until the answer's head arrives;
    /// the caller reads the body.
    func openStream(_ request: KubeRequest, deadline: Duration) async throws -> HTTPClientResponse {
        try await withRetries(request) { http, prepared in
            let response = try await http.execute(prepared, timeout: Self.timeAmount(deadline), logger: nil)
            if response.status.code >= 300 {
                let body = try await response.body.collect(upTo: 1 << 20)
                return .failed(
                    KubeResponse(
                        status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView)))
            }
            return .done(response)
        }
    }

    /// One attempt's result: the caller's value, or an error answer to retry or report.
    enum Attempt<Value: Sendable>: Sendable {
        case done(Value)
        case failed(KubeResponse)
    }

    private func withRetries<Value: Sendable>(
        _ request: KubeRequest,
        send: @Sendable (HTTPClient, HTTPClientRequest) async throws -> Attempt<Value>
    ) async throws -> Value {
        var attempt = 0
        var reauthenticated = false
        while true {
            attempt += 1
            try Task.checkCancellation()
            if request.rateLimited { try await rateLimiter.acquire() }
            let prepared = try await prepare(request)
            let started = ContinuousClock.now
            let outcome: Result<Attempt<Value>, any Error>
            do {
                requestCounter.add(1, ordering: .relaxed)
                outcome = .success(try await send(http, prepared))
            } catch {
                outcome = .failure(error)
            }
            let elapsed = ContinuousClock.now - started
            switch outcome {
            case .success(.done(let value)):
                logger.debug(
                    "kube request",
                    metadata: ["request": "\(request.summary)", "ms": "\(Int(elapsed.seconds * 1000))"])
                return value
            case .success(.failed(let response)):
                let retryAfter = response.headers.first(name: "Retry-After")
                let apiError = KubeAPIError.decode(
                    code: response.status, body: response.body, retryAfterHeader: retryAfter, request: request.summary)
                if response.status == 401, let credentials, !reauthenticated {
                    // A rotated token or an expired exec credential: fetch afresh once.
                    reauthenticated = true
                    await credentials.invalidate()
                    attempt -= 1
                    logger.info("kube request got 401; refreshing credentials", metadata: ["request": "\(request.summary)"])
                    continue
                }
                guard RetryPolicy.shouldRetry(status: response.status, retryClass: request.retryClass),
                    attempt < options.retry.maxAttempts
                else {
                    logger.debug(
                        "kube request failed",
                        metadata: ["request": "\(request.summary)", "status": "\(response.status)", "reason": "\(apiError.reason)"])
                    throw KubeClientError.api(apiError)
                }
                let delay = options.retry.delay(beforeRetry: attempt, retryAfter: apiError.retryAfter)
                logger.notice(
                    "kube request will be retried",
                    metadata: [
                        "request": "\(request.summary)", "status": "\(response.status)", "attempt": "\(attempt)",
                        "delay_s": "\(delay.seconds)",
                    ])
                try await options.clock.sleep(for: delay)
            case .failure(let error):
                if error is CancellationError { throw error }
                let kind = Self.classify(error)
                let retryable: Bool
                switch (request.retryClass, kind) {
                case (.never, _), (_, .tls): retryable = false
                case (.unexecutedOnly, _): retryable = kind == .notConnected
                case (.idempotent, _): retryable = true
                }
                let wrapped: KubeClientError
                switch kind {
                case .timeout:
                    wrapped = .timeout(request: request.summary, after: request.timeout ?? options.requestTimeout)
                case .tls:
                    wrapped = .transport(
                        request: request.summary,
                        reason: "TLS handshake with \(configuration.server.absoluteString) failed (check the cluster's "
                            + "certificate-authority and tls-server-name): \(Self.describe(error))")
                default:
                    wrapped = .transport(request: request.summary, reason: Self.describe(error))
                }
                guard retryable, attempt < options.retry.maxAttempts else { throw wrapped }
                let delay = options.retry.delay(beforeRetry: attempt, retryAfter: nil)
                logger.notice(
                    "kube request failed; will retry",
                    metadata: [
                        "request": "\(request.summary)", "error": "\(wrapped)", "attempt": "\(attempt)",
                        "delay_s": "\(delay.seconds)",
                    ])
                try await options.clock.sleep(for: delay)
            }
        }
    }

    private func prepare(_ request: KubeRequest) async throws -> HTTPClientRequest {
        var prepared = HTTPClientRequest(url: baseURL + request.pathAndQuery)
        prepared.method = request.method
        prepared.headers.add(name: "User-Agent", value: options.userAgent)
        prepared.headers.add(name: "Accept", value: request.accept)
        if let body = request.body {
            prepared.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            prepared.body = .bytes(ByteBuffer(bytes: body))
        }
        if let credentials {
            let credential: Credential
            do {
                credential = try await credentials.credential()
            } catch let error as KubeClientError {
                throw error
            } catch {
                throw KubeClientError.credentials(reason: "\(error)")
            }
            if let header = credential.authorizationHeader {
                prepared.headers.add(name: "Authorization", value: header)
            }
            if let certificate = credential.clientCertificate {
                prepared.tlsConfiguration = try tlsConfiguration(for: certificate)
            }
        }
        return prepared
    }

    private func tlsConfiguration(for certificate: ClientCertificate) throws -> TLSConfiguration {
        if let cached = certificateTLS.withLock({ $0[certificate] }) { return cached }
        let tls = try Self.makeTLS(configuration.tls, clientCertificate: certificate)
        certificateTLS.withLock { $0 = [certificate: tls] }
        return tls
    }

    // MARK: Error classification

    enum FailureKind: Equatable {
        /// The connection was never established: the server cannot have acted.
        case notConnected
        case timeout
        /// The TLS handshake failed (an untrusted or mismatched certificate): retrying cannot help.
        case tls
        /// The connection broke after the request may have been sent.
        case other
    }

    static func classify(_ error: any Error) -> FailureKind {
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout, .tlsHandshakeTimeout: return .notConnected
            case .deadlineExceeded, .readTimeout: return .timeout
            default: return .other
            }
        }
        if error is NIOSSLError || error is BoringSSLError { return .tls }
        let typeName = String(describing: type(of: error))
        if typeName.contains("NIOConnectionError") || typeName.contains("ConnectTimeout") { return .notConnected }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return .notConnected }
        let text = "\(error)"
        if text.contains("Connection refused") || text.contains("errno: \(ECONNREFUSED))") { return .notConnected }
        if let channel = error as? ChannelError {
            switch channel {
            // A pooled keep-alive connection the server had already closed: nothing was sent.
            case .connectTimeout, .ioOnClosedChannel, .alreadyClosed: return .notConnected
            default: break
            }
        }
        return .other
    }

    static func describe(_ error: any Error) -> String {
        "\(error)"
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(Int64(min(duration.seconds, 1e9) * 1e9))
    }
}
