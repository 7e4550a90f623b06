import MendCore

/// Parses durations written the way Go's `time.ParseDuration` reads them (`"5m"`, `"1h30m"`,
/// `"300ms"`, `"1.5s"`, `"0"`), which is how upstream node-problem-detector rule files spell them.
///
/// Unlike MendCore's `GoDuration`, a rejection says what exactly is wrong (unknown unit, missing
/// unit, ...), which the rule-file errors pass on to the person editing the file.
public enum GoDuration {
    /// Why a duration string was rejected.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        /// The text that was given.
        public var text: String
        /// What was wrong with it.
        public var problem: String
        public var description: String {
            "invalid duration \"\(text)\": \(problem) (expected Go syntax such as \"30s\", \"5m\", \"1h30m\", \"250ms\")"
        }
    }

    private static let units: [(String, Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3),
        ("s", 1), ("m", 60), ("h", 3600),
    ]

    /// Parses `text` into a `Duration`.
    public static func parse(_ text: String) throws(ParseError) -> Duration {
        var rest = Substring(text)
        var sign = 1.0
        if rest.first == "-" || rest.first == "+" {
            if rest.first == "-" { sign = -1 }
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        if rest.isEmpty { throw ParseError(text: text, problem: "it is empty") }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else {
                throw ParseError(text: text, problem: "expected a number at \"\(rest)\"")
            }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else {
                if unitText.isEmpty { throw ParseError(text: text, problem: "missing unit after \(number)") }
                throw ParseError(text: text, problem: "unknown unit \"\(unitText)\"")
            }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        return .nanoseconds(Int64((sign * total * 1e9).rounded()))
    }

    /// Formats a duration the way Go prints it (`1h30m0s`, `500ms`, `1.5s`), for messages: MendCore's
    /// formatter, the one all programs share.
    public static func format(_ duration: Duration) -> String { MendCore.GoDuration.format(duration) }
}
