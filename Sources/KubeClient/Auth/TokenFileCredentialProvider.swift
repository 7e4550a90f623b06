import Foundation
import Synchronization

/// A bearer token read from a file (a projected service-account token, or a kubeconfig
/// `tokenFile`). The file is checked before each request and re-read when its modification time
/// or size changes, so a rotated token is picked up without a restart.
public final class TokenFileCredentialProvider: CredentialProvider {
    private struct Cached {
        var token: String
        var modified: Date?
        var size: Int?
    }

    /// The path of the token file.
    public let path: String
    private let cache = Mutex<Cached?>(nil)

    public init(path: String) {
        self.path = path
    }

    public func credential() async throws -> Credential {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = attributes?[.modificationDate] as? Date
        let size = (attributes?[.size] as? NSNumber)?.intValue
        if let cached = cache.withLock({ $0 }), cached.modified == modified, cached.size == size, modified != nil {
            return Credential(bearerToken: cached.token)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeClientError.credentials(reason: "cannot read token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw KubeClientError.credentials(reason: "token file \(path) is empty")
        }
        cache.withLock { $0 = Cached(token: token, modified: modified, size: size) }
        return Credential(bearerToken: token)
    }

    public func invalidate() async {
        cache.withLock { $0 = nil }
    }
}
