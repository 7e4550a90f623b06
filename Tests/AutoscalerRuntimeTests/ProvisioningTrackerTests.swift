import Foundation
import Testing

@testable import Autoscaler

@Suite("Provisioning tracker")
struct ProvisioningTrackerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let timeout = Duration.seconds(900)

    private func group(desired: Int, instances: Int, min: Int = 0) -> Autoscaler.NodeGroup {
        Autoscaler.NodeGroup(
            id: "g", minSize: min, maxSize: 10, desiredCapacity: desired,
            instances: (0..<instances).map { GroupInstance(id: "i-\($0)", zone: "a") })
    }

    @Test func aRequestIsDoneWhenEveryNodeRegistered() {
        let request = ProvisionRequest(requestedAt: t0, from: 1, target: 3)
        #expect(
            ProvisioningTracker.verdict(
                request, group: group(desired: 3, instances: 3), registered: 2, failures: [], now: t0 + 60, timeout: timeout)
                == .waiting)
        #expect(
            ProvisioningTracker.verdict(
                request, group: group(desired: 3, instances: 3), registered: 3, failures: [], now: t0 + 60, timeout: timeout)
                == .done)
    }

    @Test func aLaunchFailureFailsAtOnceAndLowersToTheInstancesThatStarted() {
        let request = ProvisionRequest(requestedAt: t0, from: 1, target: 4)
        let failure = LaunchFailure(group: "g", time: t0 + 5, message: "InsufficientInstanceCapacity")
        let verdict = ProvisioningTracker.verdict(
            request, group: group(desired: 4, instances: 2), registered: 1, failures: [failure], now: t0 + 6,
            timeout: timeout)
        #expect(verdict == .failed(reason: "launch failed: InsufficientInstanceCapacity", lowerTo: 2))
    }

    @Test func theTimeoutFailsAndLowersToTheRegisteredNodesButNotBelowMin() {
        let request = ProvisionRequest(requestedAt: t0, from: 0, target: 3)
        let verdict = ProvisioningTracker.verdict(
            request, group: group(desired: 3, instances: 3, min: 1), registered: 0, failures: [], now: t0 + 900,
            timeout: timeout)
        #expect(verdict == .failed(reason: "3 node(s) did not register within 900 s", lowerTo: 1))
    }

    @Test func aGroupLoweredByHandOrGoneEndsTheWait() {
        let request = ProvisionRequest(requestedAt: t0, from: 0, target: 5)
        #expect(
            ProvisioningTracker.verdict(
                request, group: group(desired: 2, instances: 2), registered: 2, failures: [], now: t0 + 1, timeout: timeout)
                == .done)
        #expect(ProvisioningTracker.verdict(request, group: nil, registered: 0, failures: [], now: t0, timeout: timeout) == .done)
    }

    @Test func stateRoundTripsThroughItsStoredText() {
        var state = AutoscalerState()
        state.unneededSince["n1"] = t0
        state.provisioning["g"] = ProvisionRequest(requestedAt: t0, from: 1, target: 2)
        state.backoff.recordFailure(group: "g", reason: "boom", now: t0)
        state.lastScaleUp = ScaleActivity(time: t0, lines: ["g: 1 -> 2"])
        let text = state.encoded()
        #expect(AutoscalerState.decode(text) == state)
        #expect(text == AutoscalerState.decode(text)?.encoded(), "stable text: an unchanged state is not rewritten")
        #expect(AutoscalerState.decode("{not json") == nil)
    }
}
