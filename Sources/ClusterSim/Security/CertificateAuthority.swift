import Crypto
import Foundation
import SwiftASN1
import X509

/// A throw-away certificate authority for one ClusterSim server: it signs the server's
/// certificate (for `127.0.0.1` and `localhost`) and client certificates whose CN is the user.
public struct CertificateAuthority: Sendable {
    /// A certificate with its private key, both PEM encoded.
    public struct Issued: Sendable {
        public var certificatePEM: String
        /// PKCS#8 PEM.
        public var privateKeyPEM: String
    }

    /// The CA certificate (PEM), to trust.
    public let certificatePEM: String
    private let keyDER: Data
    private let certificate: Certificate

    /// Makes a new CA valid for ten years from `now`.
    public init(commonName: String = "ClusterSim CA", now: Date = Date()) throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        self.keyDER = key.derRepresentation
        self.certificate = certificate
        self.certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// A server certificate for `127.0.0.1`, `::1` and `localhost`.
    public func issueServerCertificate(now: Date = Date()) throws -> Issued {
        try issue(subject: try DistinguishedName { CommonName("clustersim") }, now: now, server: true)
    }

    /// A client certificate authenticating as `commonName` (groups as `O`).
    public func issueClientCertificate(commonName: String, organizations: [String] = [], now: Date = Date()) throws -> Issued {
        var subject = DistinguishedName()
        for organization in organizations {
            subject.append(RelativeDistinguishedName(RelativeDistinguishedName.Attribute(type: .RDNAttributeType.organizationName, utf8String: organization)))
        }
        subject.append(RelativeDistinguishedName(RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: commonName)))
        return try issue(subject: subject, now: now, server: false)
    }

    private func issue(subject: DistinguishedName, now: Date, server: Bool) throws -> Issued {
        let key = try P256.Signing.PrivateKey(derRepresentation: keyDER)
        let leafKey = P256.Signing.PrivateKey()
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage(server ? [.serverAuth, .clientAuth] : [.clientAuth])
            AuthorityKeyIdentifier(keyIdentifier: try? certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            if server {
                SubjectAlternativeNames([
                    .dnsName("localhost"),
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
                ])
            }
        }
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: .init(key))
        return Issued(certificatePEM: try leaf.serializeAsPEM().pemString, privateKeyPEM: leafKey.pemRepresentation)
    }
}
