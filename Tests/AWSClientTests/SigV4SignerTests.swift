import Foundation
import Testing
@testable import AWSClient

/// The worked examples AWS publishes for Signature Version 4: the SigV4 test suite (secret
/// `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`, 2015-08-30T12:36:00Z, us-east-1, service `service`)
/// and the IAM `ListUsers` example of the IAM user guide.
@Suite("SigV4 signing")
struct SigV4SignerTests {
    static let suiteCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160) // 20150830T123600Z
    static let signer = SigV4Signer(service: "service", region: "us-east-1")

    func authorization(_ request: SigV4Signer.Request, signer: SigV4Signer = signer, credentials: AWSCredentials = suiteCredentials) -> String? {
        signer.signatureHeaders(for: request, credentials: credentials, date: Self.suiteDate).first { $0.0 == "Authorization" }?.1
    }

    func signature(_ request: SigV4Signer.Request) -> String? {
        authorization(request)?.components(separatedBy: "Signature=").last
    }

    @Test func getVanillaMatchesTheTestSuite() {
        let request = SigV4Signer.Request(method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")])
        #expect(authorization(request) == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func postVanillaMatchesTheTestSuite() {
        let request = SigV4Signer.Request(method: "POST", path: "/", headers: [("Host", "example.amazonaws.com")])
        #expect(signature(request) == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    @Test func queryParametersAreSortedByEncodedNameThenValue() {
        let request = SigV4Signer.Request(method: "GET", path: "/", query: URIEncoding.parseQuery("Param2=value2&Param1=value1"), headers: [("Host", "example.amazonaws.com")])
        #expect(signature(request) == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func unreservedCharactersAreNotEncodedInTheQuery() {
        let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        let request = SigV4Signer.Request(method: "GET", path: "/", query: [(unreserved, unreserved)], headers: [("Host", "example.amazonaws.com")])
        #expect(signature(request) == "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197")
    }

    @Test func headerValuesAreTrimmedAndInnerSpacesCollapsed() {
        let request = SigV4Signer.Request(method: "GET", path: "/", headers: [
            ("Host", "example.amazonaws.com"), ("My-Header1", " value1"), ("My-Header2", "\"a   b   c\""),
        ])
        let canonical = Self.signer.canonicalRequest(SigV4Signer.Request(method: "GET", path: "/", headers: request.headers + [("X-Amz-Date", "20150830T123600Z")]))
        #expect(canonical.text.contains("my-header1:value1\nmy-header2:\"a b c\"\n"))
        #expect(canonical.signedHeaders == "host;my-header1;my-header2;x-amz-date")
        #expect(signature(request) == "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")
    }

    @Test func tabsAndRunsOfBlanksCollapseToOneSpace() {
        let headers = SigV4Signer.canonicalHeaders([("X-Test", "\t a \t b  c\t"), ("x-test", "d"), ("Host", "h")])
        #expect(headers.map(\.name) == ["host", "x-test"])
        #expect(headers.last?.value == "a b c,d")
    }

    @Test func formBodyIsHashedIntoTheSignature() {
        let request = SigV4Signer.Request(
            method: "POST", path: "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com")],
            body: Array("Param1=value1".utf8)
        )
        #expect(signature(request) == "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
    }

    @Test func iamListUsersExampleMatchesEveryStep() throws {
        let signer = SigV4Signer(service: "iam", region: "us-east-1")
        let request = SigV4Signer.Request(
            method: "GET", path: "/", query: [("Action", "ListUsers"), ("Version", "2010-05-08")],
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                ("Host", "iam.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z"),
            ]
        )
        let canonical = signer.canonicalRequest(request)
        #expect(canonical.text == """
            GET
            /
            Action=ListUsers&Version=2010-05-08
            content-type:application/x-www-form-urlencoded; charset=utf-8
            host:iam.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(Digest256.hex(Array(canonical.text.utf8)) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
        #expect(signer.stringToSign(canonicalRequest: canonical.text, date: Self.suiteDate) == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/iam/aws4_request
            f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
            """)
        #expect(signer.signingKey(secretAccessKey: Self.suiteCredentials.secretAccessKey, day: "20150830").hexString
            == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
        let header = try #require(authorization(request, signer: signer))
        #expect(header == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    @Test func temporaryCredentialsAddAndSignTheSecurityToken() throws {
        let credentials = AWSCredentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "the-session-token")
        let request = SigV4Signer.Request(method: "POST", path: "/", headers: [("Host", "sts.eu-west-1.amazonaws.com")])
        let headers = Self.signer.signatureHeaders(for: request, credentials: credentials, date: Self.suiteDate)
        #expect(headers.first { $0.0 == "X-Amz-Security-Token" }?.1 == "the-session-token")
        #expect(headers.first { $0.0 == "X-Amz-Date" }?.1 == "20150830T123600Z")
        let authorization = try #require(headers.first { $0.0 == "Authorization" }?.1)
        #expect(authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
        // The token is signed: changing it changes the signature.
        var other = credentials
        other.sessionToken = "another-token"
        let otherAuthorization = Self.signer.signatureHeaders(for: request, credentials: other, date: Self.suiteDate).first { $0.0 == "Authorization" }?.1
        #expect(otherAuthorization != authorization)
    }

    @Test func pathsAreNormalizedAndEncodedPerSegment() {
        #expect(SigV4Signer.canonicalURI("") == "/")
        #expect(SigV4Signer.canonicalURI("/example/..") == "/")
        #expect(SigV4Signer.canonicalURI("/./example") == "/example")
        #expect(SigV4Signer.canonicalURI("//example//") == "/example/")
        #expect(SigV4Signer.canonicalURI("/example space/") == "/example%20space/")
        #expect(SigV4Signer.canonicalURI("/\u{1234}") == "/%E1%88%B4")
    }

    @Test func credentialDescriptionsNeverShowSecrets() {
        let credentials = AWSCredentials(
            accessKeyID: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN", source: .environment
        )
        for text in [credentials.description, credentials.debugDescription, String(describing: credentials), "\(credentials)", String(reflecting: credentials)] {
            #expect(!text.contains("wJalrXUtnFEMI"))
            #expect(!text.contains("FwoGZXIvYXdz"))
            #expect(!text.contains("IOSFODNN7"))
        }
        #expect(credentials.maskedAccessKeyID == "ASIA************MPLE")
    }
}

@Suite("AWS timestamps")
struct TimestampTests {
    @Test func isoTimestampsInEveryShapeAWSAndMotoWriteAreParsed() throws {
        let base = Date(timeIntervalSince1970: 1795428001) // 2026-11-23T10:00:01Z
        #expect(AMZDate.parseISO8601("2026-11-23T10:00:01Z") == base)
        #expect(AMZDate.parseISO8601("2026-11-23T10:00:01.500Z") == base.addingTimeInterval(0.5))
        #expect(try #require(AMZDate.parseISO8601("2026-11-23T10:00:01.230245Z")).timeIntervalSince(base) - 0.230245 < 1e-6)
        #expect(AMZDate.parseISO8601("2026-11-23T12:00:01+02:00") == base)
        #expect(AMZDate.parseISO8601("2026-11-23T10:00:01") == base)
        #expect(AMZDate.parseISO8601("2026-13-23T10:00:01Z") == nil)
        #expect(AMZDate.parseISO8601("yesterday") == nil)
        #expect(AMZDate(base).timestamp == "20261123T100001Z")
        #expect(AMZDate(base).day == "20261123")
    }
}
