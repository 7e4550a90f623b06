extension Quantity {
    /// Parses every form the API accepts: `100m`, `1.5Gi`, `1e3`, `2E-3`, `+5`, `.5`, `5.`,
    /// with suffixes `n u m k M G T P E` and `Ki Mi Gi Ti Pi Ei`.
    public init(parsing text: String) throws(QuantityError) {
        self = try QuantityParser.parse(text)
    }
}

enum QuantityParser {
    static let powersOf10: [Int128] = {
        var table: [Int128] = [1]
        for _ in 1...38 { table.append(table.last! * 10) }
        return table
    }()

    static func parse(_ text: String) throws(QuantityError) -> Quantity {
        guard !text.isEmpty else { throw .empty }
        let bytes = Array(text.utf8)
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        // Digits of the number; leading zeros dropped so only significant digits count.
        var mantissa: Int128 = 0
        var significant = 0
        var digitCount = 0
        var fractionDigits = 0
        var seenDot = false
        while i < bytes.count {
            let c = bytes[i]
            if c >= 48 && c <= 57 {
                digitCount += 1
                if seenDot { fractionDigits += 1 }
                if mantissa != 0 || c != 48 {
                    significant += 1
                    guard significant <= 37 else { throw .outOfRange(text: text) }
                    mantissa = mantissa * 10 + Int128(c - 48)
                }
            } else if c == UInt8(ascii: ".") {
                guard !seenDot else { throw .invalidNumber(text: text) }
                seenDot = true
            } else {
                break
            }
            i += 1
        }
        guard digitCount > 0 else { throw .invalidNumber(text: text) }

        let suffix = String(decoding: bytes[i...], as: UTF8.self)
        var decimalExponent = 0
        var binaryShift = 0
        let format: Quantity.Format
        switch suffix {
        case "": (decimalExponent, format) = (0, .decimalSI)
        case "n": (decimalExponent, format) = (-9, .decimalSI)
        case "u": (decimalExponent, format) = (-6, .decimalSI)
        case "m": (decimalExponent, format) = (-3, .decimalSI)
        case "k": (decimalExponent, format) = (3, .decimalSI)
        case "M": (decimalExponent, format) = (6, .decimalSI)
        case "G": (decimalExponent, format) = (9, .decimalSI)
        case "T": (decimalExponent, format) = (12, .decimalSI)
        case "P": (decimalExponent, format) = (15, .decimalSI)
        case "E": (decimalExponent, format) = (18, .decimalSI)
        case "Ki": (binaryShift, format) = (10, .binarySI)
        case "Mi": (binaryShift, format) = (20, .binarySI)
        case "Gi": (binaryShift, format) = (30, .binarySI)
        case "Ti": (binaryShift, format) = (40, .binarySI)
        case "Pi": (binaryShift, format) = (50, .binarySI)
        case "Ei": (binaryShift, format) = (60, .binarySI)
        default:
            guard let exponent = parseExponent(bytes[i...]) else {
                throw .invalidSuffix(text: text, suffix: suffix)
            }
            (decimalExponent, format) = (exponent, .decimalExponent)
        }

        // nanos = mantissa * 2^binaryShift * 10^(decimalExponent - fractionDigits + 9), rounded up.
        var numerator = mantissa
        if binaryShift > 0 {
            guard numerator.leadingZeroBitCount > binaryShift + 1 else { throw .outOfRange(text: text) }
            numerator <<= binaryShift
        }
        let power = decimalExponent - fractionDigits + 9
        var nanos: Int128
        if numerator == 0 {
            nanos = 0
        } else if power >= 0 {
            guard power <= 38 else { throw .outOfRange(text: text) }
            let (product, overflow) = numerator.multipliedReportingOverflow(by: powersOf10[power])
            guard !overflow else { throw .outOfRange(text: text) }
            nanos = product
        } else if -power > 38 {
            nanos = 1
        } else {
            let (q, r) = numerator.quotientAndRemainder(dividingBy: powersOf10[-power])
            nanos = r == 0 ? q : q + 1
        }
        if negative { nanos = -nanos }
        return Quantity(nanoValue: nanos, format: format)
    }

    /// `e3`, `E-3`, `e+12` → the exponent; nil when the bytes are not such an exponent.
    private static func parseExponent(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard let first = bytes.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") else { return nil }
        var rest = bytes.dropFirst()
        var sign = 1
        if let s = rest.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") {
            sign = s == UInt8(ascii: "-") ? -1 : 1
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty, rest.count <= 4 else { return nil }
        var value = 0
        for c in rest {
            guard c >= 48 && c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        return sign * value
    }
}
