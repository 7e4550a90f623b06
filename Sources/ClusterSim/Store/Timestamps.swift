import Foundation
import KubeModels

/// RFC 3339 timestamps as Kubernetes writes them, through KubeModels' one implementation.
enum Timestamps {
    /// Whole seconds, UTC (`2026-01-02T03:04:05Z`): `metav1.Time`.
    static func format(_ date: Date) -> String { KubeTime(date).description }

    /// Microsecond precision (`MicroTime`, used by leases and events.k8s.io).
    static func formatMicro(_ date: Date) -> String { MicroTime(date).description }

    /// Parses either form (fractions and UTC offsets accepted); `nil` for anything else.
    static func parse(_ text: String) -> Date? { (try? MicroTime(parsing: text))?.date }
}
