import Crypto
import Foundation

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, as SigV4 writes hashes and signatures.
    var hexString: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum Digest256 {
    /// Hex SHA-256 of `bytes`.
    static func hex<D: DataProtocol>(_ bytes: D) -> String {
        SHA256.hash(data: bytes).hexString
    }

    /// Raw HMAC-SHA256 of `message` under `key`.
    static func hmac(key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }
}
