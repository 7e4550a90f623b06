import Foundation

/// A fresh folder under the system temp dir, removed when the value is released.
final class TempDirectory: @unchecked Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "kubeclient-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` inside the folder and returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let full = (path as NSString).appendingPathComponent(name)
        let folder = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full)
        }
        return full
    }
}

/// A self-signed EC certificate and its key, for tests that only need well-formed PEM.
enum Fixtures {
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBfzCCASWgAwIBAgIUbikvBlbGKW+OVCk+Djg0TkujHEEwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbWVuZC10ZXN0MCAXDTI2MTEyMzE5MzczOVoYDzIxMjYxMDMw
        MTkzNzM5WjAUMRIwEAYDVQQDDAltZW5kLXRlc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAASebOnmlhXZf8Z3ZRBHVVDzgFVAqAQsQ0GU80ruk4e0Na3Zvwd5UVzS
        Upf43R20pZvH69jdjqcwcaMVSITqm3j3o1MwUTAdBgNVHQ4EFgQU685/O384/7FO
        knJgB6eQvz4wMBcwHwYDVR0jBBgwFoAU685/O384/7FOknJgB6eQvz4wMBcwDwYD
        VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiBgQi8wHWWfbDqt1RehLGkx
        gZWci1Ksx18P7E1qhQrnbgIhAM+hahMCPFqWlJSuAwWr3KnitIGC6PgJ8UxX4wg+
        V7l0
        -----END CERTIFICATE-----

        """

    static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPSYpc7IChIyno2Dc
        tnUTPwWe/AmwjaJs51Qcca6o1t+hRANCAASebOnmlhXZf8Z3ZRBHVVDzgFVAqAQs
        Q0GU80ruk4e0Na3Zvwd5UVzSUpf43R20pZvH69jdjqcwcaMVSITqm3j3
        -----END PRIVATE KEY-----

        """

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}
