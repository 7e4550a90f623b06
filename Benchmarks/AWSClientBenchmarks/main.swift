import AWSClient
import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore

// AWSClient benchmarks (figures for people, not timed tests).
//
//   swift run -c release AWSClientBenchmarks [--groups 500] [--iterations 20]
//
// 1. SigV4 signing cost per request (µs), for a DescribeAutoScalingGroups-sized form POST.
// 2. End-to-end DescribeAutoScalingGroups of N groups (one instance each) against a moto_server it
//    starts on a free loopback port (MEND_MOTO_SERVER or moto_server from PATH), all pages, typed.

struct Arguments {
    var groups = 500
    var iterations = 20

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--groups": groups = iterator.next().flatMap { Int($0) } ?? groups
            case "--iterations": iterations = iterator.next().flatMap { Int($0) } ?? iterations
            default: break
            }
        }
    }
}

/// CPU time this process (the client, not moto) has used, in milliseconds.
func processCPUMilliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
}

func report(_ name: String, unit: String, _ samples: [Double]) {
    let format = { (value: Double) in String(format: "%.2f", value) }
    print("\(name): median \(format(percentile(samples, 0.5))) \(unit), min \(format(samples.min() ?? 0)), p90 \(format(percentile(samples, 0.9))) (\(samples.count) runs)")
}

func benchmarkSigning() {
    let signer = SigV4Signer(service: "autoscaling", region: "eu-west-1")
    let credentials = AWSCredentials(accessKeyID: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken: String(repeating: "T", count: 600))
    let body = Array("Action=DescribeAutoScalingGroups&Version=2011-01-01&Filters.member.1.Name=tag-key&Filters.member.1.Values.member.1=k8s.io%2Fcluster-autoscaler%2Fenabled&Filters.member.2.Name=tag-key&Filters.member.2.Values.member.1=k8s.io%2Fcluster-autoscaler%2Fprod&MaxRecords=100".utf8)
    let request = SigV4Signer.Request(method: "POST", path: "/", headers: [
        ("Host", "autoscaling.eu-west-1.amazonaws.com"), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
    ], body: body)
    let date = Date()
    var sink = 0
    for _ in 0..<2_000 { sink &+= signer.signatureHeaders(for: request, credentials: credentials, date: date).count }
    var samples: [Double] = []
    var cpu: [Double] = []
    let perRun = 5_000
    for _ in 0..<10 {
        let start = ContinuousClock.now
        let cpuStart = processCPUMilliseconds()
        for _ in 0..<perRun { sink &+= signer.signatureHeaders(for: request, credentials: credentials, date: date).count }
        samples.append((ContinuousClock.now - start).seconds * 1e6 / Double(perRun))
        cpu.append((processCPUMilliseconds() - cpuStart) * 1000 / Double(perRun))
    }
    report("SigV4 sign one request (canonical request, key derivation, HMAC), wall clock", unit: "µs", samples)
    report("  CPU time", unit: "µs", cpu)
    if sink == 42 { print("") }
}

func motoExecutable() -> String? {
    if let path = ProcessInfo.processInfo.environment["MEND_MOTO_SERVER"], !path.isEmpty { return path }
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = "\(directory)/moto_server"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Unsigned setup POST (moto without authentication accepts any signature).
func setupCall(_ client: HTTPClient, _ endpoint: String, service: String, _ body: String) async throws {
    var request = HTTPClientRequest(url: endpoint)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
    request.headers.add(name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKIDSETUP/20260101/us-east-1/\(service)/aws4_request, SignedHeaders=host, Signature=0")
    request.body = .bytes(ByteBuffer(string: body))
    let response = try await client.execute(request, timeout: .seconds(30))
    let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
    guard response.status == .ok else { throw NSError(domain: "setup", code: Int(response.status.code), userInfo: [NSLocalizedDescriptionKey: text]) }
}

func benchmarkDescribe(groups count: Int, iterations: Int) async throws {
    guard let moto = motoExecutable() else {
        print("DescribeAutoScalingGroups: skipped (moto_server not found; set MEND_MOTO_SERVER)")
        return
    }
    let port = 20_000 + Int.random(in: 0..<20_000)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", #""$0" "$@" & pid=$!; trap 'kill -KILL $pid 2>/dev/null' EXIT INT TERM; while read -r _; do :; done"#, moto, "-H", "127.0.0.1", "-p", String(port)]
    let lifeline = Pipe()
    process.standardInput = lifeline
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer { try? lifeline.fileHandleForWriting.close() }
    let endpoint = "http://127.0.0.1:\(port)"
    let http = HTTPClient.shared

    var ready = false
    for _ in 0..<300 where !ready {
        if (try? await setupCall(http, endpoint, service: "ec2", "Action=CreateLaunchTemplate&Version=2016-11-15&LaunchTemplateName=bench&LaunchTemplateData.InstanceType=m5.large&LaunchTemplateData.ImageId=ami-12c6146b")) != nil {
            ready = true
        } else {
            try await Task.sleep(for: .milliseconds(100))
        }
    }
    guard ready else { print("DescribeAutoScalingGroups: moto did not start"); return }
    let setupStart = ContinuousClock.now
    for index in 0..<count {
        try await setupCall(http, endpoint, service: "autoscaling", """
            Action=CreateAutoScalingGroup&Version=2011-01-01&AutoScalingGroupName=bench-\(index)&LaunchTemplate.LaunchTemplateName=bench\
            &MinSize=0&MaxSize=10&DesiredCapacity=1&AvailabilityZones.member.1=us-east-1a\
            &Tags.member.1.Key=k8s.io%2Fcluster-autoscaler%2Fenabled&Tags.member.1.Value=true\
            &Tags.member.2.Key=k8s.io%2Fcluster-autoscaler%2Fbench&Tags.member.2.Value=owned
            """)
    }
    print("(setup: \(count) groups with one instance each created in \(String(format: "%.1f", (ContinuousClock.now - setupStart).seconds)) s)")

    var configuration = AWSConfiguration()
    configuration.environment = AWSEnvironment(variables: [
        "AWS_ACCESS_KEY_ID": "AKIABENCHMARK0000001", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true",
    ])
    let aws = try await AWS.connect(configuration)
    let filters: [AutoScalingGroupFilter] = [.tagKey("k8s.io/cluster-autoscaler/enabled"), .tagKey("k8s.io/cluster-autoscaler/bench")]
    for pageSize in [100, 50] {
        var samples: [Double] = []
        var cpu: [Double] = []
        for run in 0..<(iterations + 2) {
            let start = ContinuousClock.now
            let cpuStart = processCPUMilliseconds()
            let groups = try await aws.autoScaling.describeAutoScalingGroups(.init(filters: filters, pageSize: pageSize))
            let elapsed = (ContinuousClock.now - start).seconds * 1000
            precondition(groups.count == count, "expected \(count) groups, got \(groups.count)")
            if run >= 2 {
                samples.append(elapsed)
                cpu.append(processCPUMilliseconds() - cpuStart)
            }
        }
        let calls = (count + pageSize - 1) / pageSize
        report("DescribeAutoScalingGroups, \(count) groups, pages of \(pageSize) (\(calls) calls), moto, wall clock", unit: "ms", samples)
        report("  of which client CPU (sign, send, parse XML, decode \(count) groups)", unit: "ms", cpu)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

let arguments = Arguments()
benchmarkSigning()
try await benchmarkDescribe(groups: arguments.groups, iterations: arguments.iterations)
