import Foundation
import Testing
@testable import Detector

/// Real kernel messages against the upstream kernel rule set (read unchanged) and Mend's own.
@Suite struct KernelMessageTests {
    private func upstream() throws -> LogMatcher {
        guard case .systemLog(let m) = try MonitorLoader.load(path: Fixtures.upstreamKernelMonitor) else { throw TestFailure("kind") }
        return m.matcher
    }

    private func mend() throws -> LogMatcher {
        guard case .systemLog(let m) = try MonitorLoader.load(path: Fixtures.config("kernel-monitor.json")) else { throw TestFailure("kind") }
        return m.matcher
    }

    @Test func hungDockerTaskIsAnEventAndAKernelDeadlock() throws {
        var m = try upstream()
        let actions = m.match("INFO: task docker:20744 blocked for more than 120 seconds.").map(\.action)
        #expect(actions == [.event(reason: "TaskHung"), .setCondition(condition: "KernelDeadlock", reason: "DockerHung")])
    }

    @Test func oomKillIsAnEvent() throws {
        var m = try upstream()
        let line = "Out of memory: Killed process 31652 (stress-ng) total-vm:1049400kB, anon-rss:998860kB, file-rss:4kB, shmem-rss:0kB, UID:0 pgtables:2008kB oom_score_adj:1000"
        let matches = m.match(line)
        #expect(matches.map(\.action) == [.event(reason: "OOMKilling")])
        #expect(matches.first?.message == line)
    }

    @Test func readOnlyRemountSetsReadonlyFilesystem() throws {
        var m = try upstream()
        #expect(m.match("EXT4-fs (nvme0n1p1): Remounting filesystem read-only").map(\.action)
                == [.setCondition(condition: "ReadonlyFilesystem", reason: "FilesystemIsReadOnly")])
    }

    @Test func ext4ErrorsAndWarningsAreEvents() throws {
        var m = try upstream()
        #expect(m.match("EXT4-fs error (device nvme0n1p1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0").map(\.action)
                == [.event(reason: "Ext4Error")])
        #expect(m.match("EXT4-fs warning (device sda1): ext4_dx_add_entry:2461: Directory index full!").map(\.action)
                == [.event(reason: "Ext4Warning")])
    }

    @Test func xfsShutdownSetsItsCondition() throws {
        var m = try upstream()
        #expect(m.match("XFS (dm-0): Corruption of in-memory data detected.  Shutting down filesystem").map(\.action)
                == [.setCondition(condition: "XfsShutdown", reason: "XfsHasShutdown")])
    }

    @Test func ordinaryLinesMatchNothing() throws {
        var m = try upstream()
        for line in ["audit: type=1400 audit(1700000000.123:42): apparmor=\"STATUS\"",
                     "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
                     "task kworker:12 is fine", ""] {
            #expect(m.match(line).isEmpty, "\(line)")
        }
    }

    @Test func mendRulesCatchSoftLockupAndNMIWatchdog() throws {
        var m = try mend()
        let soft = m.match("watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [kworker/3:1:123]").map(\.action)
        #expect(soft.contains(.event(reason: "SoftLockup")))
        let nmi = m.match("NMI watchdog: Watchdog detected hard LOCKUP on cpu 2").map(\.action)
        #expect(nmi.contains(.setCondition(condition: "KernelDeadlock", reason: "HardLockup")))
        let hung = m.match("INFO: task containerd:1234 blocked for more than 120 seconds.").map(\.action)
        #expect(hung.contains(.event(reason: "TaskHung")))
    }

    @Test func aPatternSpanningLinesMatchesAtTheEndOfTheBuffer() throws {
        let json = #"{"plugin": "kmsg", "source": "k", "bufferSize": 3, "rules": [{"type": "temporary", "reason": "Two", "pattern": "first line\\nsecond line"}]}"#
        var m = try Fixtures.logMonitor(json).matcher
        #expect(m.match("first line").isEmpty)
        let matches = m.match("second line")
        #expect(matches.map(\.message) == ["first line\nsecond line"])
        // The match must end at the newest line: one more line and it no longer matches.
        #expect(m.match("third").isEmpty)
    }

    @Test func aBufferOfOneCannotSpanLines() throws {
        let json = #"{"plugin": "kmsg", "source": "k", "bufferSize": 1, "rules": [{"type": "temporary", "reason": "Two", "pattern": "a\\nb"}]}"#
        var m = try Fixtures.logMonitor(json).matcher
        #expect(m.match("a").isEmpty)
        #expect(m.match("b").isEmpty)
    }

    @Test func recoveryPatternClearsItsCondition() throws {
        let json = #"{"plugin": "kmsg", "source": "k", "conditions": [{"type": "NetDown", "reason": "NetUp", "message": "up", "recoveryPattern": "eth0: link up"}], "rules": [{"type": "permanent", "condition": "NetDown", "reason": "LinkDown", "pattern": "eth0: link down"}]}"#
        var m = try Fixtures.logMonitor(json).matcher
        #expect(m.match("igb 0000:01:00.0 eth0: link down").map(\.action) == [.setCondition(condition: "NetDown", reason: "LinkDown")])
        #expect(m.match("igb 0000:01:00.0 eth0: link up").map(\.action) == [.recover(condition: "NetDown")])
    }
}
