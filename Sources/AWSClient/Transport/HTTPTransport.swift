import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP exchange, as the AWS client needs it. Internal types; programs never see them.
struct HTTPExchangeRequest: Sendable {
    var method: String
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]
}

/// The answer to an ``HTTPExchangeRequest``.
struct HTTPExchangeResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Sends HTTP requests. The one implementation uses AsyncHTTPClient; the seam exists so the
/// credential providers and the Query engine share one client and one timeout policy.
protocol HTTPTransport: Sendable {
    /// Sends `request` and reads the whole answer, giving up after `timeout`.
    func send(_ request: HTTPExchangeRequest, timeout: Duration) async throws -> HTTPExchangeResponse
}

/// Why an HTTP exchange got no answer.
struct HTTPTransportFailure: Error, CustomStringConvertible {
    var url: String
    var reason: String
    var description: String { "\(url): \(reason)" }
}

/// ``HTTPTransport`` over AsyncHTTPClient.
struct AsyncHTTPTransport: HTTPTransport {
    let client: HTTPClient
    /// Answers larger than this are refused (AWS answers are small; 500 groups are ~2 MB).
    let maxBodyBytes: Int

    init(client: HTTPClient = awsDefaultHTTPClient, maxBodyBytes: Int = 64 << 20) {
        self.client = client
        self.maxBodyBytes = maxBodyBytes
    }

    func send(_ request: HTTPExchangeRequest, timeout: Duration) async throws -> HTTPExchangeResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let nanoseconds = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(nanoseconds))
            let body = try await response.body.collect(upTo: maxBodyBytes)
            return HTTPExchangeResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer: body)
            )
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw HTTPTransportFailure(url: request.url, reason: String(describing: error))
        }
    }
}

/// The process-wide HTTP client of the AWS client (never shut down, like `HTTPClient.shared`).
///
/// Unlike AsyncHTTPClient's defaults it does not keep re-dialling a refused connection until the
/// request deadline (the Query engine retries by AWS's rules instead), never follows redirects
/// (a signed request must not wander), and gives up connecting after 5 seconds.
let awsDefaultHTTPClient: HTTPClient = {
    var configuration = HTTPClient.Configuration(
        redirectConfiguration: .disallow,
        timeout: .init(connect: .seconds(5), read: .seconds(60)),
        decompression: .disabled
    )
    configuration.connectionPool.retryConnectionEstablishment = false
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}()

extension URL {
    /// `host` or `host:port` as the `Host` header must carry it.
    var hostHeader: String? {
        guard let host else { return nil }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        if let port, !((scheme == "https" && port == 443) || (scheme == "http" && port == 80)) {
            return "\(bracketed):\(port)"
        }
        return bracketed
    }
}
