// The least of Tests/AWSClientTests/Support the AWS provider's tests need, copied (test targets
// cannot import each other): a shared moto_server started on a free 127.0.0.1 port, a one-handler
// HTTP server for answers moto cannot give, an AWS client pointed at either, and the moto setup
// calls (launch templates and configurations, Auto Scaling groups) sent through the client's own
// signed Query path.
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

@testable import AWSClient

/// The write ends of the pipes the emulator's watchdog shell reads: they stay open while this
/// test process lives and close when it exits (even on a crash), which stops the emulator.
private let lifelines = Mutex<[Pipe]>([])

/// A moto_server on a free 127.0.0.1 port, one per test process (started lazily, waited for with
/// a bounded readiness poll, stopped when the process exits).
final class MotoServer: Sendable {
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int) { self.port = port }

    private static let instance = Mutex<Task<MotoServer, any Error>?>(nil)

    struct Unavailable: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// The shared emulator (no authentication).
    static func shared() async throws -> MotoServer {
        let task = instance.withLock { current -> Task<MotoServer, any Error> in
            if let current { return current }
            let task = Task { try await start() }
            current = task
            return task
        }
        return try await task.value
    }

    private static func executable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["MEND_MOTO_SERVER"], !path.isEmpty { return path }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/moto_server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Unavailable(reason: "moto_server not found: set MEND_MOTO_SERVER or run scripts/test (it installs moto[server])")
    }

    private static func start() async throws -> MotoServer {
        let path = try executable()
        let port = try freeLoopbackPort()
        let process = Process()
        // The watchdog shell kills moto when its stdin (the lifeline) reaches EOF, that is, when
        // this test process exits for any reason.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #""$0" "$@" & pid=$!; trap 'kill -KILL $pid 2>/dev/null' EXIT INT TERM; while read -r _; do :; done; exit 0"#,
            path, "-H", "127.0.0.1", "-p", String(port),
        ]
        let lifeline = Pipe()
        process.standardInput = lifeline
        var environment = ProcessInfo.processInfo.environment
        // Never let the emulator reach real AWS credentials or config.
        for key in environment.keys where key.hasPrefix("AWS_") { environment.removeValue(forKey: key) }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        lifelines.withLock { $0.append(lifeline) }
        let server = MotoServer(port: port)
        // Readiness: bounded poll (at most 30 s) of moto's own API.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw Unavailable(reason: "moto_server exited with status \(process.terminationStatus)")
            }
            if let url = URL(string: "\(server.endpoint)/moto-api/data.json"),
                let (_, response) = try? await URLSession.shared.data(from: url),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Unavailable(reason: "moto_server did not answer on port \(port) within 30 s")
    }
}

/// An ``AWS`` client for `endpoint` that reads nothing of the real machine (fixed test keys, no
/// home directory, no instance metadata).
func awsClient(endpoint: String) async throws -> AWS {
    var configuration = AWSConfiguration()
    configuration.environment = AWSEnvironment(
        variables: [
            "AWS_ACCESS_KEY_ID": "AKIAMENDTEST00000001", "AWS_SECRET_ACCESS_KEY": "mend-test-secret",
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true",
        ],
        homeDirectory: "/nonexistent-mend-home")
    configuration.retryPolicy = AWSRetryPolicy(
        maxAttempts: 2, maxBackoff: .seconds(1), baseBackoff: .milliseconds(100), quotaCapacity: 500
    ) { 0 }
    configuration.requestTimeout = .seconds(30)
    return try await AWS.connect(configuration)
}

/// Setup calls moto needs, sent through the client's signed Query path.
extension AWS {
    @discardableResult
    func createLaunchTemplate(name: String, instanceType: String) async throws -> String {
        var parameters = QueryParameters()
        parameters.set("LaunchTemplateName", name)
        parameters.set("LaunchTemplateData.InstanceType", instanceType)
        parameters.set("LaunchTemplateData.ImageId", "ami-12c6146b")
        let result = try await ec2.engine.send("CreateLaunchTemplate", parameters)
        guard let id = result.string("launchTemplate/launchTemplateId") else {
            throw MotoServer.Unavailable(reason: "CreateLaunchTemplate answered without an id")
        }
        return id
    }

    func createLaunchConfiguration(name: String, instanceType: String) async throws {
        var parameters = QueryParameters()
        parameters.set("LaunchConfigurationName", name)
        parameters.set("ImageId", "ami-12c6146b")
        parameters.set("InstanceType", instanceType)
        _ = try await autoScaling.engine.send("CreateLaunchConfiguration", parameters)
    }

    /// How a group launches: one launch template, a mixed-instances policy over a launch
    /// template with instance-type overrides, or a launch configuration.
    enum Launch {
        case template(String)
        case mixed(template: String, overrides: [String])
        case configuration(String)
    }

    func createAutoScalingGroup(
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
}

/// A one-handler HTTP/1.1 server on 127.0.0.1 for AWS answers moto cannot give (it always
/// answers `DescribeScalingActivities` with an empty list). Records the form of each request.
final class ScriptedAWSServer: Sendable {
    typealias Handler = @Sendable (_ form: [String: String]) -> String

    /// The decoded form fields of the requests received, shared with the channel handlers.
    private final class RequestLog: Sendable {
        let forms = Mutex<[[String: String]]>([])
        func append(_ form: [String: String]) { forms.withLock { $0.append(form) } }
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let log: RequestLog
    let port: Int

    var endpoint: String { "http://127.0.0.1:\(port)" }
    /// The decoded form fields of every request so far.
    var requests: [[String: String]] { log.forms.withLock { $0 } }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, log: RequestLog) {
        self.group = group
        self.channel = channel
        self.log = log
        port = channel.localAddress?.port ?? 0
    }

    /// Runs `body` with a server answering every request with `handler`'s XML, then stops it.
    static func with<T: Sendable>(
        _ handler: @escaping Handler, _ body: (ScriptedAWSServer) async throws -> T
    ) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let log = RequestLog()
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(FormHandler(handler: handler, record: log.append))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let server = ScriptedAWSServer(group: group, channel: channel, log: log)
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    private func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

private final class FormHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let handler: ScriptedAWSServer.Handler
    let record: @Sendable ([String: String]) -> Void
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(handler: @escaping ScriptedAWSServer.Handler, record: @escaping @Sendable ([String: String]) -> Void) {
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
            var form: [String: String] = [:]
            for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                form[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            record(form)
            let answer = handler(form)
            var headers = HTTPHeaders([("Content-Type", "text/xml"), ("Content-Length", String(answer.utf8.count))])
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// A 127.0.0.1 port nothing listens on (bound, then released).
func freeLoopbackPort() throws -> Int {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    defer { try? group.syncShutdownGracefully() }
    let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress?.port ?? 0
    try channel.close().wait()
    return port
}
