import Foundation
import Logging
import MendTime

/// What every service client of one ``AWS`` instance shares: transport, clock, retries, endpoints.
struct ServiceContext: Sendable {
    var region: String
    var endpoints: AWSEndpoints
    var transport: any HTTPTransport
    var clock: any MendClock
    var retryPolicy: AWSRetryPolicy
    var requestTimeout: Duration
    var logger: Logger

    func engine(_ service: AWSServiceID, credentials: (any AWSCredentialProvider)?) -> QueryEngine {
        QueryEngine(
            service: service, region: region, endpoint: endpoints.url(for: service), credentials: credentials,
            transport: transport, clock: clock, retryPolicy: retryPolicy, requestTimeout: requestTimeout, logger: logger
        )
    }

    /// An STS client signing with `credentials` (or unsigned, for web identity only).
    func sts(credentials: (any AWSCredentialProvider)?) -> STSClient {
        STSClient(engine: engine(.sts, credentials: credentials))
    }
}
