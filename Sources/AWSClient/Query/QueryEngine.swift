import Foundation
import Logging
import MendTime
import Metrics
import Synchronization

/// Sends Query protocol requests for one service: form-encoded POST, SigV4, retries with backoff,
/// clock-skew correction, typed errors. Everything above it works with typed values only.
final class QueryEngine: Sendable {
    let service: AWSServiceID
    let region: String
    let endpoint: URL
    /// `nil` sends unsigned requests (STS `AssumeRoleWithWebIdentity`).
    let credentials: (any AWSCredentialProvider)?
    let transport: any HTTPTransport
    let clock: any MendClock
    let retryPolicy: AWSRetryPolicy
    let requestTimeout: Duration
    let logger: Logger
    private let signer: SigV4Signer
    private let state: Mutex<State>

    private struct State {
        /// Seconds to add to the local clock so signatures match the server's clock.
        var clockOffset: TimeInterval = 0
        var quota: Int
    }

    init(
        service: AWSServiceID,
        region: String,
        endpoint: URL,
        credentials: (any AWSCredentialProvider)?,
        transport: any HTTPTransport,
        clock: any MendClock,
        retryPolicy: AWSRetryPolicy,
        requestTimeout: Duration,
        logger: Logger
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.transport = transport
        self.clock = clock
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.signer = SigV4Signer(service: service.signingName, region: region)
        self.state = Mutex(State(quota: retryPolicy.quotaCapacity))
    }

    /// The current correction applied to the local clock when signing.
    var clockOffset: TimeInterval { state.withLock { $0.clockOffset } }

    /// Sends `action` and returns the result element of the answer
    /// (`<ActionResult>` for Auto Scaling/STS, the root element for EC2).
    func send(_ action: String, _ parameters: QueryParameters = QueryParameters()) async throws -> XMLNode {
        let body = parameters.body(action: action, version: service.apiVersion)
        let host = endpoint.hostHeader ?? ""
        var path = endpoint.path
        if path.isEmpty { path = "/" }
        var attempt = 0
        var retryCosts = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            var headers: [(String, String)] = [
                ("Host", host),
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ]
            if let credentials {
                let current = try await credentials.credentials()
                let date = clock.now.addingTimeInterval(clockOffset)
                let request = SigV4Signer.Request(method: "POST", path: path, headers: headers, body: body)
                headers += signer.signatureHeaders(for: request, credentials: current, date: date)
            }
            let outcome: Outcome
            do {
                let response = try await transport.send(
                    HTTPExchangeRequest(method: "POST", url: endpoint.absoluteString, headers: headers, body: body),
                    timeout: requestTimeout
                )
                outcome = try handle(response, action: action)
            } catch let failure as HTTPTransportFailure {
                outcome = .retry(
                    .transport(service: service.signingName, operation: action, endpoint: endpoint.absoluteString, underlying: failure.reason),
                    cost: AWSRetryPolicy.timeoutRetryCost, backoff: true
                )
            }
            switch outcome {
            case .success(let node):
                state.withLock { $0.quota = min(retryPolicy.quotaCapacity, $0.quota + (retryCosts > 0 ? retryCosts : AWSRetryPolicy.noRetryIncrement)) }
                return node
            case .fail(let error):
                throw error
            case .retry(let error, let cost, let backoff):
                guard attempt < retryPolicy.maxAttempts else { throw error }
                let granted = state.withLock { s -> Bool in
                    guard s.quota >= cost else { return false }
                    s.quota -= cost
                    return true
                }
                guard granted else {
                    logger.warning("AWS retry quota exhausted; not retrying", metadata: ["service": "\(service.signingName)", "operation": "\(action)"])
                    throw error
                }
                retryCosts += cost
                if backoff {
                    let pause = retryPolicy.backoff(beforeRetry: attempt)
                    logger.debug("retrying AWS call", metadata: [
                        "service": "\(service.signingName)", "operation": "\(action)", "attempt": "\(attempt)",
                        "backoff_ms": "\(Int(pause.seconds * 1000))", "error": "\(error)",
                    ])
                    try await clock.sleep(for: pause)
                }
            }
        }
    }

    private enum Outcome {
        case success(XMLNode)
        case fail(AWSClientError)
        case retry(AWSClientError, cost: Int, backoff: Bool)
    }

    private func handle(_ response: HTTPExchangeResponse, action: String) throws -> Outcome {
        if (200..<300).contains(response.status) {
            guard let root = XMLNode.parse(response.body) else {
                return .fail(.malformedResponse(service: service.signingName, operation: action, detail: "HTTP \(response.status) with a body that is not XML"))
            }
            return .success(root.child("\(action)Result") ?? root)
        }
        let serviceError = decodeError(response, action: action)
        let error = AWSClientError.service(serviceError)
        logger.debug("AWS error answer", metadata: [
            "service": "\(service.signingName)", "operation": "\(action)", "code": "\(serviceError.code)",
            "status": "\(response.status)", "request_id": "\(serviceError.requestID ?? "-")",
        ])
        switch ErrorCodes.classify(code: serviceError.code, status: response.status) {
        case .throttling:
            Counter(label: "mend_aws_throttled_requests_total",
                    dimensions: [("service", service.signingName), ("operation", action)]).increment()
            return .retry(error, cost: AWSRetryPolicy.retryCost, backoff: true)
        case .transient:
            return .retry(error, cost: AWSRetryPolicy.retryCost, backoff: true)
        case .clockSkew:
            guard let dateHeader = response.header("Date"), let serverDate = AMZDate.parseHTTPDate(dateHeader) else {
                return .fail(error)
            }
            let newOffset = serverDate.timeIntervalSince(clock.now)
            let oldOffset = clockOffset
            // Only a real skew (more than 4 minutes off, and a change) is worth a retry; a bad secret stays an error.
            guard abs(newOffset) > 240, abs(newOffset - oldOffset) > 60 else { return .fail(error) }
            state.withLock { $0.clockOffset = newOffset }
            logger.warning("local clock differs from AWS; correcting signatures", metadata: [
                "service": "\(service.signingName)", "skew_seconds": "\(Int(newOffset))",
            ])
            return .retry(error, cost: AWSRetryPolicy.retryCost, backoff: false)
        case .notRetryable:
            return .fail(error)
        }
    }

    private func decodeError(_ response: HTTPExchangeResponse, action: String) -> AWSServiceError {
        let root = XMLNode.parse(response.body)
        let errorNode = root?.first("Error")
        let requestID = root?.first("RequestId")?.text ?? root?.first("RequestID")?.text
            ?? response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        // Without an error document (a proxy, a load balancer) the status stands in for the code.
        let fallbackCode = response.status == 429 ? "TooManyRequestsException" : "HTTP\(response.status)"
        return AWSServiceError(
            service: service.signingName,
            operation: action,
            code: errorNode?.string("Code") ?? fallbackCode,
            message: errorNode?.string("Message") ?? (root == nil && !response.body.isEmpty ? String(response.bodyText.prefix(200)) : nil),
            requestID: requestID?.trimmingCharacters(in: .whitespacesAndNewlines),
            statusCode: response.status
        )
    }
}
