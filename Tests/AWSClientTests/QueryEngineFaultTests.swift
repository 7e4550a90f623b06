import AWSTestSupport
import Foundation
import Testing
@testable import AWSClient

/// Retries, throttling, clock skew, error decoding and the exact wire format, against a local
/// server that answers whatever the test scripts.
@Suite("Query engine against a fault server")
struct QueryEngineFaultTests {
    static let callerIdentity = """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>\
        <Arn>arn:aws:iam::111122223333:user/mend</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account>\
        </GetCallerIdentityResult><ResponseMetadata><RequestId>ok-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>
        """

    static func client(_ endpoint: String, clock: RecordingClock, jitter: Double = 0.5, extra: [String: String] = [:]) async throws -> AWS {
        var variables = ["AWS_ACCESS_KEY_ID": "AKIAFAULTTEST0000001", "AWS_SECRET_ACCESS_KEY": "fault-secret", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint]
        variables.merge(extra) { _, new in new }
        return try await AWS.connect(isolatedConfiguration(variables, clock: clock, jitter: jitter))
    }

    /// A counter of calls shared with a handler.
    final class Calls: Sendable {
        private let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
    }

    @Test func throttlingIsRetriedWithExponentialBackoffAndCounted() async throws {
        let metrics = TestMetrics.shared
        let dimensions = [("service", "sts"), ("operation", "GetCallerIdentity")]
        let before = metrics.value("mend_aws_throttled_requests_total", dimensions)
        let calls = Calls()
        try await FaultServer.with({ _ in
            calls.next() <= 2
                ? ScriptedResponse(status: 400, body: queryErrorBody(code: "Throttling", message: "Rate exceeded"))
                : ScriptedResponse(body: Self.callerIdentity)
        }) { server in
            let clock = RecordingClock()
            let aws = try await Self.client(server.baseURL, clock: clock, jitter: 0.5)
            let identity = try await aws.sts.getCallerIdentity()
            #expect(identity.account == "111122223333")
            #expect(server.requests.count == 3)
            // Standard mode: jitter * 2^(retry-1) seconds: 0.5 s, then 1 s.
            #expect(clock.sleeps == [.milliseconds(500), .milliseconds(1000)])
        }
        #expect(metrics.value("mend_aws_throttled_requests_total", dimensions) - before == 2)
    }

    @Test func throttlingThatOutlastsTheRetriesIsReportedAsPassing() async throws {
        try await FaultServer.with({ _ in
            ScriptedResponse(status: 400, body: queryErrorBody(code: "Throttling", message: "Rate exceeded"))
        }) { server in
            let aws = try await Self.client(server.baseURL, clock: RecordingClock())
            await #expect {
                _ = try await aws.sts.getCallerIdentity()
            } throws: { error in
                (error as? AWSClientError)?.serviceErrorCode == "Throttling" && (error as? AWSClientError)?.isTransient == true
            }
            #expect(server.requests.count == 3)
        }
    }

    @Test func serverErrorsStopAfterThreeAttempts() async throws {
        try await FaultServer.with({ _ in ScriptedResponse(status: 503, body: queryErrorBody(code: "ServiceUnavailable", message: "try later")) }) { server in
            let clock = RecordingClock()
            let aws = try await Self.client(server.baseURL, clock: clock)
            await #expect {
                _ = try await aws.sts.getCallerIdentity()
            } throws: { error in
                guard case AWSClientError.service(let serviceError) = error else { return false }
                // What is left after the retries is still passing: callers may repeat it later.
                return serviceError.code == "ServiceUnavailable" && serviceError.statusCode == 503 && serviceError.requestID == "req-ServiceUnavailable"
                    && (error as? AWSClientError)?.isTransient == true
            }
            #expect(server.requests.count == 3)
            #expect(clock.sleeps.count == 2)
        }
    }

    @Test func anEmptyRetryQuotaStopsRetrying() async throws {
        try await FaultServer.with({ _ in ScriptedResponse(status: 503, body: queryErrorBody(code: "ServiceUnavailable", message: "down")) }) { server in
            var configuration = isolatedConfiguration([
                "AWS_ACCESS_KEY_ID": "AKIAFAULTTEST0000001", "AWS_SECRET_ACCESS_KEY": "fault-secret", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": server.baseURL,
            ], clock: RecordingClock())
            // Room for exactly one retry (a retry costs 5 tokens).
            configuration.retryPolicy = AWSRetryPolicy(maxAttempts: 3, maxBackoff: .seconds(20), baseBackoff: .seconds(1), quotaCapacity: 9) { 0 }
            let aws = try await AWS.connect(configuration)
            await #expect(throws: AWSClientError.self) { _ = try await aws.sts.getCallerIdentity() }
            #expect(server.requests.count == 2)
            await #expect(throws: AWSClientError.self) { _ = try await aws.sts.getCallerIdentity() }
            #expect(server.requests.count == 3)
        }
    }

    @Test func maxAttemptsComesFromTheEnvironment() async throws {
        try await FaultServer.with({ _ in ScriptedResponse(status: 500, body: "") }) { server in
            let aws = try await Self.client(server.baseURL, clock: RecordingClock(), extra: ["AWS_MAX_ATTEMPTS": "1"])
            await #expect(throws: AWSClientError.self) { _ = try await aws.sts.getCallerIdentity() }
            #expect(server.requests.count == 1)
        }
        await #expect {
            _ = try await Self.client("http://127.0.0.1:1", clock: RecordingClock(), extra: ["AWS_MAX_ATTEMPTS": "zero"])
        } throws: { error in
            if case AWSClientError.invalidInput(_, "AWS_MAX_ATTEMPTS", "zero", _) = error { return true }
            return false
        }
    }

    @Test func clientErrorsAreNotRetriedAndKeepCodeMessageAndRequestID() async throws {
        try await FaultServer.with({ _ in
            ScriptedResponse(status: 400, body: queryErrorBody(code: "ValidationError", message: "AutoScalingGroup name not found"))
        }) { server in
            let clock = RecordingClock()
            let aws = try await Self.client(server.baseURL, clock: clock)
            await #expect {
                _ = try await aws.autoScaling.describeLaunchConfigurations(names: [])
            } throws: { error in
                guard case AWSClientError.service(let serviceError) = error else { return false }
                return serviceError.code == "ValidationError" && serviceError.message == "AutoScalingGroup name not found"
                    && serviceError.requestID == "req-ValidationError" && serviceError.service == "autoscaling"
                    && serviceError.operation == "DescribeLaunchConfigurations"
                    && (error as? AWSClientError)?.isTransient == false
            }
            #expect(server.requests.count == 1)
            #expect(clock.sleeps.isEmpty)
        }
    }

    @Test func connectionFailuresAreRetriedThenReportedAsTransportErrors() async throws {
        let port = try closedLoopbackPort()
        let clock = RecordingClock()
        let aws = try await Self.client("http://127.0.0.1:\(port)", clock: clock)
        await #expect {
            _ = try await aws.sts.getCallerIdentity()
        } throws: { error in
            if case AWSClientError.transport(let service, let operation, let endpoint, _) = error {
                return service == "sts" && operation == "GetCallerIdentity" && endpoint.contains("\(port)")
                    && (error as? AWSClientError)?.isTransient == true
            }
            return false
        }
        #expect(clock.sleeps.count == 2)
    }

    @Test func clockSkewIsCorrectedFromTheServerDateAndTheCallRetried() async throws {
        let localNow = Date(timeIntervalSince1970: 1_800_000_000)
        let serverNow = localNow.addingTimeInterval(3600)
        let httpDate = DateFormatter()
        httpDate.locale = Locale(identifier: "en_US_POSIX")
        httpDate.timeZone = TimeZone(identifier: "GMT")
        httpDate.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let serverDateHeader = httpDate.string(from: serverNow)
        let expectedAMZDate = AMZDate(serverNow).timestamp
        try await FaultServer.with({ request in
            guard let amzDate = request.header("X-Amz-Date"), amzDate == expectedAMZDate else {
                return ScriptedResponse(status: 403, headers: [("Date", serverDateHeader)],
                                        body: queryErrorBody(code: "RequestTimeTooSkewed", message: "The difference between the request time and the current time is too large."))
            }
            return ScriptedResponse(headers: [("Date", serverDateHeader)], body: Self.callerIdentity)
        }) { server in
            let clock = RecordingClock(now: localNow)
            let aws = try await Self.client(server.baseURL, clock: clock)
            let identity = try await aws.sts.getCallerIdentity()
            #expect(identity.arn == "arn:aws:iam::111122223333:user/mend")
            #expect(server.requests.map { $0.header("X-Amz-Date") } == [AMZDate(localNow).timestamp, expectedAMZDate])
            #expect(clock.sleeps.isEmpty)
            // The correction sticks: the next call is signed with server time at once.
            _ = try await aws.sts.getCallerIdentity()
            #expect(server.requests.count == 3)
        }
    }

    @Test func aBadSignatureWithoutSkewIsNotRetried() async throws {
        try await FaultServer.with({ _ in
            ScriptedResponse(status: 403, headers: [("Date", "Sun, 15 Jan 2027 08:00:00 GMT")], body: queryErrorBody(code: "SignatureDoesNotMatch", message: "bad signature"))
        }) { server in
            let clock = RecordingClock(now: AMZDate.parseHTTPDate("Sun, 15 Jan 2027 08:00:30 GMT")!)
            let aws = try await Self.client(server.baseURL, clock: clock)
            await #expect {
                _ = try await aws.sts.getCallerIdentity()
            } throws: { error in (error as? AWSClientError)?.serviceErrorCode == "SignatureDoesNotMatch" }
            #expect(server.requests.count == 1)
        }
    }

    @Test func requestsUseTheQueryWireFormatOfEachService() async throws {
        try await FaultServer.with({ request in
            switch request.form["Action"] {
            case "DescribeAutoScalingGroups":
                return ScriptedResponse(body: """
                    <DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">\
                    <DescribeAutoScalingGroupsResult><AutoScalingGroups/></DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>
                    """)
            default:
                return ScriptedResponse(body: """
                    <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><reservationSet/></DescribeInstancesResponse>
                    """)
            }
        }) { server in
            let aws = try await Self.client(server.baseURL, clock: RecordingClock())
            _ = try await aws.autoScaling.describeAutoScalingGroups(.init(
                names: ["a"], filters: [.tagKey("k8s.io/cluster-autoscaler/enabled"), .tag("team", "x", "y")], pageSize: 50
            ))
            _ = try await aws.ec2.describeInstances(instanceIDs: ["i-0123456789abcdef0"], filters: [EC2Filter(name: "instance-state-name", values: ["running", "pending"])])
            let (asg, ec2) = (server.requests[0], server.requests[1])
            #expect(asg.method == "POST")
            #expect(asg.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8")
            #expect(asg.body.hasPrefix("Action=DescribeAutoScalingGroups&Version=2011-01-01&"))
            #expect(asg.body.contains("Filters.member.1.Values.member.1=k8s.io%2Fcluster-autoscaler%2Fenabled"))
            #expect(asg.form["AutoScalingGroupNames.member.1"] == "a")
            #expect(asg.form["Filters.member.1.Name"] == "tag-key")
            #expect(asg.form["Filters.member.2.Name"] == "tag:team")
            #expect(asg.form["Filters.member.2.Values.member.2"] == "y")
            #expect(asg.form["MaxRecords"] == "50")
            #expect(asg.header("Authorization")?.contains("/us-east-1/autoscaling/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=") == true)
            #expect(ec2.form["Version"] == "2016-11-15")
            #expect(ec2.form["InstanceId.1"] == "i-0123456789abcdef0")
            #expect(ec2.form["Filter.1.Name"] == "instance-state-name")
            #expect(ec2.form["Filter.1.Value.2"] == "pending")
            #expect(ec2.header("Authorization")?.contains("/us-east-1/ec2/aws4_request") == true)
            #expect(!asg.body.contains("fault-secret") && asg.header("Authorization")?.contains("fault-secret") == false)
        }
    }

    @Test func scalingActivitiesKeepLaunchFailuresAcrossPages() async throws {
        try await FaultServer.with({ request in
            let second = request.form["NextToken"] == "page-2"
            let activity = second
                ? """
                  <member><ActivityId>a-2</ActivityId><AutoScalingGroupName>ng</AutoScalingGroupName><Description>Launching a new EC2 instance: i-0aaaabbbbccccdddd</Description>\
                  <Cause>At 2026-11-23T10:00:00Z an instance was started in response to a difference between desired and actual capacity.</Cause>\
                  <StartTime>2026-11-23T10:00:01.123Z</StartTime><EndTime>2026-11-23T10:01:00Z</EndTime><StatusCode>Successful</StatusCode><Progress>100</Progress></member>
                  """
                : """
                  <member><ActivityId>a-1</ActivityId><AutoScalingGroupName>ng</AutoScalingGroupName><Description>Launching a new EC2 instance.  Status Reason: We currently do not have sufficient p4d.24xlarge capacity.</Description>\
                  <Cause>At 2026-11-23T11:00:00Z a user request update of AutoScalingGroup constraints changed the desired capacity from 0 to 1.</Cause>\
                  <StartTime>2026-11-23T11:00:01Z</StartTime><EndTime>2026-11-23T11:00:02Z</EndTime><StatusCode>Failed</StatusCode>\
                  <StatusMessage>We currently do not have sufficient p4d.24xlarge capacity in the Availability Zone you requested (us-east-1a).</StatusMessage><Progress>100</Progress></member>
                  """
            let token = second ? "" : "<NextToken>page-2</NextToken>"
            return ScriptedResponse(body: """
                <DescribeScalingActivitiesResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeScalingActivitiesResult>\
                <Activities>\(activity)</Activities>\(token)</DescribeScalingActivitiesResult></DescribeScalingActivitiesResponse>
                """)
        }) { server in
            let aws = try await Self.client(server.baseURL, clock: RecordingClock())
            let activities = try await aws.autoScaling.describeScalingActivities(groupName: "ng", limit: 5)
            #expect(activities.map(\.activityID) == ["a-1", "a-2"])
            #expect(activities[0].statusCode == .failed)
            #expect(activities[0].statusMessage?.contains("insufficient") == false)
            #expect(activities[0].statusMessage?.contains("sufficient p4d.24xlarge capacity") == true)
            #expect(activities[1].statusCode == .successful && activities[1].statusCode.isFinished)
            #expect(activities[1].startTime == AMZDate.parseISO8601("2026-11-23T10:00:01.123Z"))
            #expect(activities[1].startTime.map { $0.timeIntervalSince1970.truncatingRemainder(dividingBy: 1) } ?? 0 > 0.1)
            #expect(server.requests.count == 2)
            #expect(server.requests[1].form["NextToken"] == "page-2")
            #expect(server.requests[0].form["MaxRecords"] == "5")
        }
    }

    @Test func aRepeatedNextTokenStopsPagingWithAnError() async throws {
        try await FaultServer.with({ _ in
            ScriptedResponse(body: """
                <DescribeLaunchConfigurationsResponse><DescribeLaunchConfigurationsResult><LaunchConfigurations/>\
                <NextToken>same</NextToken></DescribeLaunchConfigurationsResult></DescribeLaunchConfigurationsResponse>
                """)
        }) { server in
            let aws = try await Self.client(server.baseURL, clock: RecordingClock())
            await #expect {
                _ = try await aws.autoScaling.describeLaunchConfigurations(names: [])
            } throws: { error in
                if case AWSClientError.malformedResponse(_, "DescribeLaunchConfigurations", let detail) = error { return detail.contains("NextToken") }
                return false
            }
            #expect(server.requests.count == 2)
        }
    }

    @Test func answersThatAreNotXMLAreReportedAsMalformed() async throws {
        try await FaultServer.with({ _ in ScriptedResponse(body: "<html>proxy login</html") }) { server in
            let aws = try await Self.client(server.baseURL, clock: RecordingClock())
            await #expect {
                _ = try await aws.sts.getCallerIdentity()
            } throws: { error in
                if case AWSClientError.malformedResponse(_, "GetCallerIdentity", _) = error { return true }
                return false
            }
        }
    }
}

import Synchronization
