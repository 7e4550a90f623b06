/// `intstr.IntOrString`: a JSON integer or string, e.g. a PDB's `minAvailable: 2` or `"50%"`.
public enum IntOrString: Codable, Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    case int(Int)
    case string(String)

    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }

    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .string(let s): s
        }
    }

    /// Resolves an absolute number or a percentage of `total`, as Kubernetes does for PDBs
    /// and rolling updates (`GetScaledValueFromIntOrPercent`).
    ///
    /// - Parameter roundUp: round a fractional percentage up (PDB `minAvailable`) or down.
    /// - Throws: ``IntOrStringError`` when the string is not `<integer>%`.
    public func scaledValue(total: Int, roundUp: Bool) throws(IntOrStringError) -> Int {
        switch self {
        case .int(let i):
            return i
        case .string(let s):
            guard s.hasSuffix("%"), let percent = Int(s.dropLast()) else { throw .notAPercentage(s) }
            let product = percent * total
            if roundUp {
                return product >= 0 ? (product + 99) / 100 : product / 100
            }
            return product / 100
        }
    }
}

/// Why an ``IntOrString`` could not be resolved.
public enum IntOrStringError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAPercentage(String)

    public var description: String {
        switch self {
        case .notAPercentage(let s): "invalid value \"\(s)\": expected an integer or a percentage like \"50%\""
        }
    }
}
