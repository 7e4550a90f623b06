import Foundation
import KubeClient
import KubeModels

/// Scenario and snapshot files as ``JSONValue`` documents (KubeClient's ``YAMLDocuments``), with
/// the simulation's errors naming the file.
enum SimYAML {
    /// Every document of the file, in order (empty documents skipped).
    static func parseAll(_ text: String, file: String) throws(SimulationLoadError) -> [JSONValue] {
        do {
            return try YAMLDocuments.parse(text)
        } catch {
            throw .syntax(file: file, detail: error.detail)
        }
    }

    /// Reads and parses a file.
    static func load(path: String) throws(SimulationLoadError) -> [JSONValue] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        return try parseAll(text, file: path)
    }
}
