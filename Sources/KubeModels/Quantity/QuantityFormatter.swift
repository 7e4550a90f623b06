/// Writes a ``Quantity`` in Kubernetes's canonical form.
enum QuantityFormatter {
    private static let decimalSuffixes: [Int: String] = [
        -9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E",
    ]
    private static let binarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

    static func canonical(_ q: Quantity) -> String {
        let nanos = q.nanoValue
        if nanos == 0 { return "0" }
        let negative = nanos < 0
        let magnitude = negative ? 0 - nanos : nanos
        let sign = negative ? "-" : ""

        if q.format == .binarySI {
            let (units, remainder) = magnitude.quotientAndRemainder(dividingBy: 1_000_000_000)
            if remainder == 0 && units >= 1024 {
                var value = units
                var index = 0
                while index < binarySuffixes.count - 1 && value % 1024 == 0 {
                    value /= 1024
                    index += 1
                }
                return "\(sign)\(value)\(binarySuffixes[index])"
            }
        }

        // Strip trailing zeros, then bring the exponent down to a multiple of three.
        var mantissa = magnitude
        var exponent = -9
        while mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        while (exponent % 3 + 3) % 3 != 0 {
            mantissa *= 10
            exponent -= 1
        }
        if q.format == .decimalExponent {
            return exponent == 0 ? "\(sign)\(mantissa)" : "\(sign)\(mantissa)e\(exponent)"
        }
        while exponent > 18 {
            mantissa *= 1000
            exponent -= 3
        }
        return "\(sign)\(mantissa)\(decimalSuffixes[exponent]!)"
    }
}
