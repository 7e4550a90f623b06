import Foundation
import Testing
@testable import Detector

/// The detector matches with Swift's `Regex`; ICU's `NSRegularExpression`, which it used before,
/// stays here as an independent oracle: on every shipped and upstream rule, over real kernel and
/// runtime lines, both engines must find the same match start.
@Suite struct RegexEngineTests {
    /// Every `pattern` of the monitor files the project ships and the upstream kernel monitor.
    static func shippedPatterns() throws -> [String] {
        let files = [Fixtures.upstreamKernelMonitor] + ["kernel-monitor.json", "containerd-monitor.json", "systemd-monitor.json"].map(Fixtures.config)
        var patterns: [String] = []
        for file in files {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any]
            let rules = try #require(json?["rules"] as? [[String: Any]], "\(file) has rules")
            patterns += rules.compactMap { $0["pattern"] as? String }
        }
        return patterns
    }

    /// Constructs the rule files do not all use: word boundaries, case folding, classes, counted
    /// repetition, alternation, Unicode properties, lazy repetition.
    static let constructs = [
        #"\bpanic\b"#, #"dev\B\w+"#, #"(?i)out of MEMORY"#, #"[[:digit:]]{3,}\s+errors?"#, #"(?:ext4|xfs|btrfs)[- ]fs"#,
        #"\pL+ \d+ seconds\."#, #"task \S+?:\d+"#, #"[^a-z]+$"#, #"^EXT4-fs"#,
    ]

    /// Real lines (and a few that must not match), each also with a prefix and cut short.
    static let lines: [String] = {
        let base = [
            "INFO: task docker:20744 blocked for more than 120 seconds.",
            "task jbd2/nvme0n1p1-8:389 blocked for more than 300 seconds.",
            "Out of memory: Killed process 31652 (stress-ng) total-vm:1049400kB, anon-rss:998860kB, file-rss:4kB",
            "EXT4-fs (nvme0n1p1): Remounting filesystem read-only",
            "EXT4-fs error (device nvme0n1p1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0",
            "XFS (dm-0): Corruption of in-memory data detected.  Shutting down filesystem",
            "watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [kworker/3:1:12345]",
            "NMI watchdog: Watchdog detected hard LOCKUP on cpu 5",
            "Kernel panic - not syncing: Fatal exception",
            "kernel BUG at fs/ext4/inode.c:1234!",
            "unregister_netdevice: waiting for eth0 to become free. Usage count = 1",
            "containerd: failed to start container: context deadline exceeded",
            "Started Kubernetes Kubelet.", "kubelet.service: Main process exited, code=exited, status=1/FAILURE",
            "audit: type=1400 audit(1700000000.123:42): apparmor=\"STATUS\"", "Ünïcödé line 120 seconds.", "",
        ]
        return base + base.map { "[12345.678901] " + $0 } + base.map { String($0.prefix($0.count / 2)) }
    }()

    @Test func swiftRegexAndICUFindTheSameMatchesOnEveryShippedRule() throws {
        let patterns = try Self.shippedPatterns() + Self.constructs
        #expect(patterns.count > 20)
        var compared = 0
        var matched = 0
        for pattern in patterns {
            let compiled = try CompiledPattern(pattern)
            let icu = try NSRegularExpression(pattern: "(?:\(compiled.analysis.regexPattern))\\z")
            for line in Self.lines {
                let oracle = icu.firstMatch(in: line, range: NSRange(location: 0, length: line.utf16.count))?.range.location
                #expect(compiled.matchStart(in: line) == oracle, "pattern \(pattern) on \"\(line)\"")
                compared += 1
                if oracle != nil { matched += 1 }
            }
        }
        #expect(matched >= 20, "the corpus exercises matches, not only misses (\(matched) of \(compared))")
    }

    @Test func wordBoundariesAreRE2sASCIIOnes() throws {
        // RE2's \b sits between an ASCII word character and anything else, so an accented letter
        // is a boundary, as Go's regexp has it.
        let pattern = try CompiledPattern(#"\bfail\b"#)
        #expect(pattern.matchStart(in: "disk fail") == 5)
        #expect(pattern.matchStart(in: "diskfail") == nil)
        #expect(pattern.matchStart(in: "éfail") != nil)
        #expect(try CompiledPattern(#"a\Bb"#).matchStart(in: "ab") == 0)
    }
}
