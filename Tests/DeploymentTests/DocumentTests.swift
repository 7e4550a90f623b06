import Foundation
import Testing

/// The documents that point at deployment files: no link leads nowhere.
@Suite("Deployment documents")
struct DocumentTests {
    static let documents = ["README.md", "manifests/aws/README.md"] + Repo.files(under: "runbooks", extensions: ["md"])

    @Test func everyRelativeLinkInTheRunbooksAndREADMEResolves() throws {
        #expect(Self.documents.count > 20)
        for document in Self.documents {
            let text = try Repo.text(document)
            let folder = (document as NSString).deletingLastPathComponent
            for target in AlertTests.matches(of: #"\]\(([^)\s]+)\)"#, in: text) {
                if target.hasPrefix("http") || target.hasPrefix("#") || target.hasPrefix("mailto:") { continue }
                let path = String(target.split(separator: "#", maxSplits: 1).first ?? "")
                let resolved = folder.isEmpty ? path : "\(folder)/\(path)"
                #expect(Repo.exists(resolved), "\(document) links to \(target), which does not exist")
            }
        }
    }

    @Test func noDocumentOrTestNamesTheOldManifestFolders() throws {
        let files = Self.documents + Repo.files(under: "Tests", extensions: ["swift"]) + Repo.files(under: "scripts", extensions: [""])
        for file in files where !file.hasSuffix("DocumentTests.swift") {
            let text = try Repo.text(file)
            for old in ["manifests/detector", "manifests/drainer"] {
                #expect(!text.contains(old), "\(file) still names \(old) (now manifests/base/...)")
            }
        }
    }
}
