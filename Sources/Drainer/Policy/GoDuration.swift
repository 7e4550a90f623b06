import Foundation

/// Go-style durations (`10m`, `1h30m`, `90s`, `1.5h`, `500ms`), as Draino and Kubernetes tools write them.
///
/// Kept small and private to the drainer until MendCore's shared parser lands; the accepted
/// syntax is Go's `time.ParseDuration` without negative values.
public enum GoDuration {
    private static let units: [(String, Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    /// Parses `text`; `nil` when it is not a non-negative Go duration.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "0" { return .zero }
        guard !trimmed.isEmpty else { return nil }
        var rest = Substring(trimmed)
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            guard let unit = units.first(where: { $0.0 == String(unitText) }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total.isFinite, total >= 0 else { return nil }
        return .milliseconds(Int64((total * 1000).rounded()))
    }

    /// Formats `duration` the way Go prints it (`1h30m0s`, `10m0s`, `1.5s`, `0s`).
    public static func format(_ duration: Duration) -> String {
        let totalMillis = Int64((duration.seconds * 1000).rounded())
        if totalMillis == 0 { return "0s" }
        if totalMillis < 1000 { return "\(totalMillis)ms" }
        let hours = totalMillis / 3_600_000
        let minutes = (totalMillis % 3_600_000) / 60_000
        let millis = totalMillis % 60_000
        var seconds = String(millis / 1000)
        if millis % 1000 != 0 {
            seconds += "." + String(format: "%03d", millis % 1000).replacingOccurrences(
                of: "0+$", with: "", options: .regularExpression)
        }
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        return text + seconds + "s"
    }
}
