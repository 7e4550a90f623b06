import Foundation

/// Why a kubeconfig or the in-cluster environment could not be turned into a ``KubeConfiguration``.
///
/// Every case names the file and, where there is one, the field (as a kubeconfig path such as
/// `users[alice].user.client-key-data`), so the message says exactly what to fix.
public enum KubeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither `KUBECONFIG` nor `~/.kube/config` named a readable file.
    case noKubeconfig(searched: [String])
    /// A kubeconfig file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A kubeconfig file is not valid YAML or does not have the kubeconfig shape.
    case malformedFile(path: String, reason: String)
    /// `apiVersion` is set to something other than `v1`.
    case wrongAPIVersion(path: String, found: String)
    /// `kind` is set to something other than `Config`.
    case wrongKind(path: String, found: String)
    /// No `current-context` is set and no context was asked for.
    case noCurrentContext(files: [String])
    /// The requested context is not defined in any file.
    case contextNotFound(name: String, files: [String], known: [String])
    /// The context names a cluster no file defines.
    case clusterNotFound(name: String, context: String, file: String)
    /// The context names a user no file defines.
    case userNotFound(name: String, context: String, file: String)
    /// A required field is missing or empty.
    case missingField(file: String, field: String)
    /// A field has a value that cannot be used.
    case invalidValue(file: String, field: String, value: String, expected: String)
    /// A `*-data` field is not valid base64.
    case invalidBase64(file: String, field: String)
    /// A file named by a field (certificate, key, token file) could not be read.
    case unreadableReferencedFile(file: String, field: String, path: String, reason: String)
    /// The user stanza uses an authentication method Mend does not implement.
    case unsupportedAuthentication(file: String, field: String, detail: String)
    /// In-cluster configuration was asked for but an environment variable is missing.
    case notInCluster(missingVariable: String)

    public var description: String {
        switch self {
        case .noKubeconfig(let searched):
            return "no kubeconfig found (looked at: \(searched.joined(separator: ", "))); set KUBECONFIG or create ~/.kube/config"
        case .unreadableFile(let path, let reason):
            return "cannot read kubeconfig \(path): \(reason)"
        case .malformedFile(let path, let reason):
            return "kubeconfig \(path) is not a valid kubeconfig: \(reason)"
        case .wrongAPIVersion(let path, let found):
            return "kubeconfig \(path): apiVersion is \"\(found)\", expected \"v1\""
        case .wrongKind(let path, let found):
            return "kubeconfig \(path): kind is \"\(found)\", expected \"Config\""
        case .noCurrentContext(let files):
            return "no current-context set in \(files.joined(separator: ", ")); pass a context or run `kubectl config use-context`"
        case .contextNotFound(let name, let files, let known):
            let list = known.isEmpty ? "none defined" : "known: \(known.joined(separator: ", "))"
            return "context \"\(name)\" not found in \(files.joined(separator: ", ")) (\(list))"
        case .clusterNotFound(let name, let context, let file):
            return "kubeconfig \(file): contexts[\(context)].context.cluster names cluster \"\(name)\", which no kubeconfig file defines"
        case .userNotFound(let name, let context, let file):
            return "kubeconfig \(file): contexts[\(context)].context.user names user \"\(name)\", which no kubeconfig file defines"
        case .missingField(let file, let field):
            return "kubeconfig \(file): \(field) is missing or empty"
        case .invalidValue(let file, let field, let value, let expected):
            return "kubeconfig \(file): \(field) is \"\(value)\", expected \(expected)"
        case .invalidBase64(let file, let field):
            return "kubeconfig \(file): \(field) is not valid base64"
        case .unreadableReferencedFile(let file, let field, let path, let reason):
            return "kubeconfig \(file): cannot read \(path) named by \(field): \(reason)"
        case .unsupportedAuthentication(let file, let field, let detail):
            return "kubeconfig \(file): \(field) is not supported: \(detail)"
        case .notInCluster(let variable):
            return "not running in a cluster: environment variable \(variable) is not set"
        }
    }
}
