import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bearer token read from a file (a projected service-account token, or a kubeconfig
/// `tokenFile`), re-read when it changes so a rotated token is used without a restart.
///
/// The kubelet rotates projected tokens by swapping a `..data` symlink, so the check follows
/// symlinks (`stat`, not `lstat`) and compares inode, size and modification time. As a safety net
/// the file is also re-read at least once a minute, as client-go does, and after any 401.
public final class TokenFileCredentialProvider: CredentialProvider {
    private struct Fingerprint: Equatable {
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    private struct Cached {
        var token: String
        var fingerprint: Fingerprint?
        var readAt: ContinuousClock.Instant
    }

    /// The path of the token file.
    public let path: String
    /// How long a token is used before the file is read again even if it looks unchanged.
    public let maximumAge: Duration
    private let cache = Mutex<Cached?>(nil)

    public init(path: String, maximumAge: Duration = .seconds(60)) {
        self.path = path
        self.maximumAge = maximumAge
    }

    private func fingerprint() -> Fingerprint? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
            return Fingerprint(
                inode: UInt64(info.st_ino), size: Int64(info.st_size), modifiedSeconds: Int(info.st_mtimespec.tv_sec),
                modifiedNanoseconds: Int(info.st_mtimespec.tv_nsec))
        #else
            return Fingerprint(
                inode: UInt64(info.st_ino), size: Int64(info.st_size), modifiedSeconds: Int(info.st_mtim.tv_sec),
                modifiedNanoseconds: Int(info.st_mtim.tv_nsec))
        #endif
    }

    public func credential() async throws -> Credential {
        let current = fingerprint()
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0 }), current != nil, cached.fingerprint == current,
            now - cached.readAt < maximumAge
        {
            return Credential(bearerToken: cached.token)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeClientError.credentials(reason: "cannot read token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw KubeClientError.credentials(reason: "token file \(path) is empty")
        }
        cache.withLock { $0 = Cached(token: token, fingerprint: current, readAt: now) }
        return Credential(bearerToken: token)
    }

    public func invalidate() async {
        cache.withLock { $0 = nil }
    }
}
