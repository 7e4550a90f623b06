import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MendTime
import Synchronization
@testable import AWSClient

/// The write ends of the pipes the emulators' watchdog shells read: they stay open while this
/// test process lives and close when it exits (even on a crash), which stops the emulators.
private let lifelines = Mutex<[Pipe]>([])

/// A moto_server on a free 127.0.0.1 port: one shared instance per test process (started lazily,
/// waited for with a bounded readiness poll, terminated when the process exits), and a second
/// one with signature and IAM checking on (`INITIAL_NO_AUTH_ACTION_COUNT=0`).
public final class MotoServer: Sendable {
    public let port: Int
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int) { self.port = port }

    private static let plain = Mutex<Task<MotoServer, any Error>?>(nil)
    private static let authenticating = Mutex<Task<MotoServer, any Error>?>(nil)

    /// The shared emulator without authentication.
    public static func shared() async throws -> MotoServer {
        try await lazily(plain, environment: [:])
    }

    /// The shared emulator that checks signatures and IAM policies.
    public static func withAuthentication() async throws -> MotoServer {
        try await lazily(authenticating, environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "0"])
    }

    private static func lazily(_ slot: borrowing Mutex<Task<MotoServer, any Error>?>, environment: [String: String]) async throws -> MotoServer {
        let task = slot.withLock { current -> Task<MotoServer, any Error> in
            if let current { return current }
            let task = Task { try await start(environment: environment) }
            current = task
            return task
        }
        return try await task.value
    }

    private static func executable() throws -> (String, [String]) {
        if let path = ProcessInfo.processInfo.environment["MEND_MOTO_SERVER"], !path.isEmpty { return (path, []) }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/moto_server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return (candidate, []) }
        }
        throw MotoUnavailable(reason: "moto_server not found: set MEND_MOTO_SERVER or run scripts/test (it installs moto[server])")
    }

    public struct MotoUnavailable: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
        public init(reason: String) { self.reason = reason }
    }

    private static func start(environment: [String: String]) async throws -> MotoServer {
        let (path, prefix) = try executable()
        let port = try closedLoopbackPort()
        let process = Process()
        // A watchdog shell runs moto and stops it when its stdin (our lifeline pipe) reaches EOF,
        // that is, when this test process exits for any reason. SIGKILL, because a child spawned
        // from a NIO thread inherits a mask that blocks SIGTERM.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #""$0" "$@" & pid=$!; trap 'kill -KILL $pid 2>/dev/null' EXIT INT TERM; while read -r _; do :; done; exit 0"#,
            path,
        ] + prefix + ["-H", "127.0.0.1", "-p", String(port)]
        let lifeline = Pipe()
        process.standardInput = lifeline
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        // Never let the emulator reach real AWS credentials or config.
        for key in env.keys where key.hasPrefix("AWS_") { env.removeValue(forKey: key) }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        lifelines.withLock { $0.append(lifeline) }
        let server = MotoServer(port: port)
        // Readiness: bounded poll (at most 30 s) of moto's own API.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw MotoUnavailable(reason: "moto_server exited with status \(process.terminationStatus)") }
            if let url = URL(string: "\(server.endpoint)/moto-api/data.json"),
               let (_, response) = try? await URLSession.shared.data(from: url),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw MotoUnavailable(reason: "moto_server did not answer on port \(port) within 30 s")
    }

    /// Sets how many requests moto lets through without authentication (its `reset-auth` API).
    public func allowUnauthenticatedRequests(_ count: Int) async throws {
        var request = URLRequest(url: URL(string: "\(endpoint)/moto-api/reset-auth")!)
        request.httpMethod = "POST"
        // moto reads the raw body; a form content type would make Flask swallow it.
        request.setValue("text/plain", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(String(count).utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw MotoUnavailable(reason: "reset-auth failed") }
    }
}

/// The environment a Mend program run as a process needs to sign requests to moto with the
/// test credentials, and never to ask an instance-metadata service for others.
public let motoCredentialsEnvironment = [
    "AWS_ACCESS_KEY_ID": "AKIAMENDTEST00000001", "AWS_SECRET_ACCESS_KEY": "mend-test-secret",
    "AWS_EC2_METADATA_DISABLED": "true",
]

/// An ``AWS`` instance whose three services all point at `endpoint`.
public func awsClient(endpoint: String, accessKey: String = "AKIAMENDTEST00000001", secret: String = "mend-test-secret", region: String = "us-east-1") async throws -> AWS {
    var configuration = isolatedConfiguration([
        "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_REGION": region, "AWS_ENDPOINT_URL": endpoint,
    ])
    configuration.requestTimeout = .seconds(30)
    return try await AWS.connect(configuration)
}

/// An AWS configuration that reads nothing of the real machine: only `variables` (plus instance
/// metadata turned off), a home directory that does not exist, and a retry policy whose backoff
/// `jitter` fixes.
public func isolatedConfiguration(
    _ variables: [String: String],
    home: String = "/nonexistent-mend-home",
    clock: any MendClock = SystemClock(),
    jitter: Double = 0
) -> AWSConfiguration {
    var configuration = AWSConfiguration()
    var all = ["AWS_EC2_METADATA_DISABLED": "true"]
    all.merge(variables) { _, new in new }
    configuration.environment = AWSEnvironment(variables: all, homeDirectory: home)
    configuration.clock = clock
    configuration.retryPolicy = AWSRetryPolicy(maxAttempts: 3, maxBackoff: .seconds(20), baseBackoff: .seconds(1), quotaCapacity: 500) { jitter }
    configuration.requestTimeout = .seconds(10)
    return configuration
}

/// Setup calls moto needs (launch templates and configurations, Auto Scaling groups), sent
/// through the client's own signed Query path.
extension AWS {
    @discardableResult
    public func createLaunchTemplate(name: String, instanceType: String) async throws -> String {
        var parameters = QueryParameters()
        parameters.set("LaunchTemplateName", name)
        parameters.set("LaunchTemplateData.InstanceType", instanceType)
        parameters.set("LaunchTemplateData.ImageId", "ami-12c6146b")
        let result = try await ec2.engine.send("CreateLaunchTemplate", parameters)
        guard let id = result.string("launchTemplate/launchTemplateId") else {
            throw MotoServer.MotoUnavailable(reason: "CreateLaunchTemplate answered without an id")
        }
        return id
    }

    public func createLaunchConfiguration(name: String, instanceType: String) async throws {
        var parameters = QueryParameters()
        parameters.set("LaunchConfigurationName", name)
        parameters.set("ImageId", "ami-12c6146b")
        parameters.set("InstanceType", instanceType)
        _ = try await autoScaling.engine.send("CreateLaunchConfiguration", parameters)
    }

    /// How a group launches: one launch template, a mixed-instances policy over a launch
    /// template with instance-type overrides, or a launch configuration.
    public enum Launch: Sendable {
        case template(String)
        case mixed(template: String, overrides: [String])
        case configuration(String)
    }

    public func createAutoScalingGroup(
        name: String, launch: Launch, min: Int, max: Int, desired: Int, zones: [String] = ["us-east-1a"],
        tags: [String: String]
    ) async throws {
        var parameters = QueryParameters()
        parameters.set("AutoScalingGroupName", name)
        switch launch {
        case .template(let template):
            parameters.set("LaunchTemplate.LaunchTemplateName", template)
            parameters.set("LaunchTemplate.Version", "$Default")
        case .mixed(let template, let overrides):
            let prefix = "MixedInstancesPolicy.LaunchTemplate."
            parameters.set(prefix + "LaunchTemplateSpecification.LaunchTemplateName", template)
            parameters.set(prefix + "LaunchTemplateSpecification.Version", "$Default")
            for (index, type) in overrides.enumerated() {
                parameters.set(prefix + "Overrides.member.\(index + 1).InstanceType", type)
            }
        case .configuration(let configuration):
            parameters.set("LaunchConfigurationName", configuration)
        }
        parameters.set("MinSize", min)
        parameters.set("MaxSize", max)
        parameters.set("DesiredCapacity", desired)
        parameters.memberList("AvailabilityZones", zones)
        for (index, (key, value)) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters.set("Tags.member.\(index + 1).Key", key)
            parameters.set("Tags.member.\(index + 1).Value", value)
            parameters.set("Tags.member.\(index + 1).PropagateAtLaunch", true)
        }
        _ = try await autoScaling.engine.send("CreateAutoScalingGroup", parameters)
    }

    /// A group on `launchTemplate`, with a mixed-instances policy when `overrides` are given.
    public func createAutoScalingGroup(
        name: String, launchTemplate: String, min: Int, max: Int, desired: Int = 0,
        tags: [String: String], overrides: [String] = []
    ) async throws {
        try await createAutoScalingGroup(
            name: name, launch: overrides.isEmpty ? .template(launchTemplate) : .mixed(template: launchTemplate, overrides: overrides),
            min: min, max: max, desired: desired, tags: tags)
    }
}
