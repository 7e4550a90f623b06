/// `core/v1.Volume`: a name and one volume source.
///
/// The sources Mend looks at are typed; every other source (`csi`, `nfs`, `downwardAPI`, ...)
/// is kept verbatim in ``otherSources`` so a round trip loses nothing.
public struct Volume: Sendable, Hashable {
    public var name: String
    public var emptyDir: EmptyDirVolumeSource?
    public var hostPath: HostPathVolumeSource?
    public var persistentVolumeClaim: PersistentVolumeClaimVolumeSource?
    public var configMap: ConfigMapVolumeSource?
    public var secret: SecretVolumeSource?
    public var projected: ProjectedVolumeSource?
    /// Sources not modelled above, by their JSON member name.
    public var otherSources: [String: JSONValue]

    public init(
        name: String, emptyDir: EmptyDirVolumeSource? = nil, hostPath: HostPathVolumeSource? = nil,
        persistentVolumeClaim: PersistentVolumeClaimVolumeSource? = nil, configMap: ConfigMapVolumeSource? = nil,
        secret: SecretVolumeSource? = nil, projected: ProjectedVolumeSource? = nil,
        otherSources: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.emptyDir = emptyDir
        self.hostPath = hostPath
        self.persistentVolumeClaim = persistentVolumeClaim
        self.configMap = configMap
        self.secret = secret
        self.projected = projected
        self.otherSources = otherSources
    }
}

extension Volume: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }

        static let name = Key("name")
        static let emptyDir = Key("emptyDir")
        static let hostPath = Key("hostPath")
        static let persistentVolumeClaim = Key("persistentVolumeClaim")
        static let configMap = Key("configMap")
        static let secret = Key("secret")
        static let projected = Key("projected")
        static let known = Set(TypedKeys.allCases.map(\.rawValue))
    }

    /// The members decoded into typed properties (also read by the tape reader behind
    /// ``KubeJSONDecoder``); every other member is a source kept in ``otherSources``.
    enum TypedKeys: String, CodingKey, CaseIterable {
        case name, emptyDir, hostPath, persistentVolumeClaim, configMap, secret, projected
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        name = try c.decode(String.self, forKey: .name)
        emptyDir = try c.decodeIfPresent(EmptyDirVolumeSource.self, forKey: .emptyDir)
        hostPath = try c.decodeIfPresent(HostPathVolumeSource.self, forKey: .hostPath)
        persistentVolumeClaim = try c.decodeIfPresent(
            PersistentVolumeClaimVolumeSource.self, forKey: .persistentVolumeClaim)
        configMap = try c.decodeIfPresent(ConfigMapVolumeSource.self, forKey: .configMap)
        secret = try c.decodeIfPresent(SecretVolumeSource.self, forKey: .secret)
        projected = try c.decodeIfPresent(ProjectedVolumeSource.self, forKey: .projected)
        var others: [String: JSONValue] = [:]
        for key in c.allKeys where !Key.known.contains(key.stringValue) {
            others[key.stringValue] = try c.decode(JSONValue.self, forKey: key)
        }
        otherSources = others
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(emptyDir, forKey: .emptyDir)
        try c.encodeIfPresent(hostPath, forKey: .hostPath)
        try c.encodeIfPresent(persistentVolumeClaim, forKey: .persistentVolumeClaim)
        try c.encodeIfPresent(configMap, forKey: .configMap)
        try c.encodeIfPresent(secret, forKey: .secret)
        try c.encodeIfPresent(projected, forKey: .projected)
        for (key, value) in otherSources { try c.encode(value, forKey: Key(key)) }
    }
}

/// `core/v1.EmptyDirVolumeSource`.
public struct EmptyDirVolumeSource: Codable, Sendable, Hashable {
    /// `""` (node disk) or `Memory` (tmpfs).
    public var medium: String?
    public var sizeLimit: Quantity?

    public init(medium: String? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

/// `core/v1.HostPathVolumeSource`.
public struct HostPathVolumeSource: Codable, Sendable, Hashable {
    public var path: String
    public var type: String?

    public init(path: String, type: String? = nil) {
        self.path = path
        self.type = type
    }
}

/// `core/v1.PersistentVolumeClaimVolumeSource`.
public struct PersistentVolumeClaimVolumeSource: Codable, Sendable, Hashable {
    public var claimName: String
    public var readOnly: Bool?

    public init(claimName: String, readOnly: Bool? = nil) {
        self.claimName = claimName
        self.readOnly = readOnly
    }
}

/// `core/v1.KeyToPath`.
public struct KeyToPath: Codable, Sendable, Hashable {
    public var key: String
    public var path: String
    public var mode: Int32?

    public init(key: String, path: String, mode: Int32? = nil) {
        self.key = key
        self.path = path
        self.mode = mode
    }
}

/// `core/v1.ConfigMapVolumeSource`.
public struct ConfigMapVolumeSource: Codable, Sendable, Hashable {
    public var name: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(name: String? = nil, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// `core/v1.SecretVolumeSource`.
public struct SecretVolumeSource: Codable, Sendable, Hashable {
    public var secretName: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(secretName: String? = nil, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil)
    {
        self.secretName = secretName
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// `core/v1.ProjectedVolumeSource` (the projections themselves are kept as JSON).
public struct ProjectedVolumeSource: Codable, Sendable, Hashable {
    public var sources: [JSONValue]?
    public var defaultMode: Int32?

    public init(sources: [JSONValue]? = nil, defaultMode: Int32? = nil) {
        self.sources = sources
        self.defaultMode = defaultMode
    }
}
