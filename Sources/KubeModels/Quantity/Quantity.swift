/// `resource.Quantity`: an exact decimal amount such as `100m` CPU or `1.5Gi` of memory.
///
/// Stored as a count of nano-units in an `Int128`, so comparison and addition are exact
/// (`0.1 + 0.2 == 0.3`, `1Gi == 1073741824`). Amounts finer than `1n` round up (away from
/// zero), as Kubernetes does. Equality and ordering compare the amount only, never the text.
///
/// The canonical string (``description``) follows Kubernetes: the format of the parsed suffix
/// is kept (decimal SI, binary SI, or decimal exponent), and the largest suffix that keeps an
/// integer mantissa is used (`1.5Gi` → `1536Mi`, `0.1` → `100m`, `1000` → `1k`).
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// How the quantity is written back as text.
    public enum Format: Sendable, Hashable {
        /// `n u m "" k M G T P E`.
        case decimalSI
        /// `Ki Mi Gi Ti Pi Ei` (falls back to decimal SI for fractions and values under 1024).
        case binarySI
        /// `1e3`, `2e-3`.
        case decimalExponent
    }

    /// The amount in nano-units (1 = 10⁻⁹).
    public var nanoValue: Int128
    /// The format used by ``description``.
    public var format: Format

    /// A quantity of `nanoValue` nano-units.
    public init(nanoValue: Int128, format: Format = .decimalSI) {
        self.nanoValue = nanoValue
        self.format = format
    }

    /// A whole number of units, e.g. `Quantity(4)` CPUs or `Quantity(1 << 30, format: .binarySI)` bytes.
    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(nanoValue: Int128(value) * 1_000_000_000, format: format)
    }

    /// An amount in thousandths, e.g. `Quantity(milli: 250)` is `250m`.
    public init(milli: Int64) {
        self.init(nanoValue: Int128(milli) * 1_000_000, format: .decimalSI)
    }

    /// Zero.
    public static let zero = Quantity(nanoValue: 0)

    public var isZero: Bool { nanoValue == 0 }

    /// The amount in whole units, rounded up (away from zero); clamped to the `Int64` range.
    public var value: Int64 { Self.scaled(nanoValue, divisor: 1_000_000_000) }

    /// The amount in thousandths, rounded up (away from zero); clamped to the `Int64` range.
    public var milliValue: Int64 { Self.scaled(nanoValue, divisor: 1_000_000) }

    private static func scaled(_ nanos: Int128, divisor: Int128) -> Int64 {
        var (q, r) = nanos.quotientAndRemainder(dividingBy: divisor)
        if r > 0 { q += 1 } else if r < 0 { q -= 1 }
        if q > Int128(Int64.max) { return .max }
        if q < Int128(Int64.min) { return .min }
        return Int64(q)
    }

    public static func == (a: Quantity, b: Quantity) -> Bool { a.nanoValue == b.nanoValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(nanoValue) }
    public static func < (a: Quantity, b: Quantity) -> Bool { a.nanoValue < b.nanoValue }

    /// The sum; keeps the left operand's format unless it is zero.
    public static func + (a: Quantity, b: Quantity) -> Quantity {
        Quantity(nanoValue: a.nanoValue + b.nanoValue, format: a.isZero ? b.format : a.format)
    }

    /// The difference; keeps the left operand's format unless it is zero.
    public static func - (a: Quantity, b: Quantity) -> Quantity {
        Quantity(nanoValue: a.nanoValue - b.nanoValue, format: a.isZero ? b.format : a.format)
    }

    public static func += (a: inout Quantity, b: Quantity) { a = a + b }
    public static func -= (a: inout Quantity, b: Quantity) { a = a - b }

    /// The amount multiplied by a whole number.
    public static func * (a: Quantity, n: Int) -> Quantity {
        Quantity(nanoValue: a.nanoValue * Int128(n), format: a.format)
    }

    /// The larger of two quantities.
    public static func max(_ a: Quantity, _ b: Quantity) -> Quantity { a < b ? b : a }

    public var description: String { QuantityFormatter.canonical(self) }
}

extension Quantity: Codable {
    /// Decodes a JSON string (`"1.5Gi"`), or a JSON number (`2`, `0.5`) as its decimal text.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text: String
        if let s = try? c.decode(String.self) {
            text = s
        } else if let i = try? c.decode(Int64.self) {
            text = String(i)
        } else {
            text = String(try c.decode(Double.self))
        }
        do {
            self = try Quantity(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description)
        }
    }

    /// Encodes the canonical string form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Quantity: ExpressibleByStringLiteral {
    /// A quantity from a literal such as `"500m"`; an invalid literal is a programming error
    /// and stops the program with the parse error.
    public init(stringLiteral value: String) {
        do {
            self = try Quantity(parsing: value)
        } catch {
            preconditionFailure(error.description)
        }
    }
}

extension Quantity: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self.init(value) }
}

/// Why text is not a valid quantity.
public enum QuantityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text was empty.
    case empty
    /// The numeric part is malformed (no digits, two dots, stray characters).
    case invalidNumber(text: String)
    /// The suffix is not one of the known ones.
    case invalidSuffix(text: String, suffix: String)
    /// The amount does not fit (more than about 10²⁹ units, or too many digits).
    case outOfRange(text: String)

    public var description: String {
        switch self {
        case .empty:
            return "quantity is empty: expected a number with an optional suffix, like \"100m\" or \"1.5Gi\""
        case .invalidNumber(let text):
            return "quantity \"\(text)\" has no valid number: expected digits with at most one '.', like \"1.5Gi\""
        case .invalidSuffix(let text, let suffix):
            return "quantity \"\(text)\" has unknown suffix \"\(suffix)\": expected one of "
                + "n u m k M G T P E Ki Mi Gi Ti Pi Ei, or an exponent like e3"
        case .outOfRange(let text):
            return "quantity \"\(text)\" is out of range"
        }
    }
}
