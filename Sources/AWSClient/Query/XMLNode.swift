import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: name (without namespace prefix), text and children in document order.
///
/// AWS Query answers are small documents; a tree is the simplest faithful decoding.
struct XMLNode: Sendable {
    var name: String
    var text: String
    var children: [XMLNode]

    /// Parses `data`; `nil` when it is not well-formed XML.
    static func parse(_ data: [UInt8]) -> XMLNode? {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(data))
        parser.shouldProcessNamespaces = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    /// The first child called `name`.
    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// The node at a `/`-separated path of child names.
    func at(_ path: String) -> XMLNode? {
        var node: XMLNode? = self
        for part in path.split(separator: "/") { node = node?.child(String(part)) }
        return node
    }

    /// All children called `name`.
    func children(named name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// The items of a list element at `path` (`member` for Auto Scaling/STS, `item` for EC2).
    func list(_ path: String, item: String = "member") -> [XMLNode] {
        at(path)?.children(named: item) ?? []
    }

    /// The trimmed text of the child at `path`, or `nil` when absent.
    func string(_ path: String) -> String? {
        at(path).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func int(_ path: String) -> Int? { string(path).flatMap { Int($0) } }

    func double(_ path: String) -> Double? { string(path).flatMap { Double($0) } }

    func bool(_ path: String) -> Bool? {
        switch string(path)?.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    func date(_ path: String) -> Date? { string(path).flatMap(AMZDate.parseISO8601) }

    /// The first descendant (depth first, self included) called `name`.
    func first(_ name: String) -> XMLNode? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(name) { return found }
        }
        return nil
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(XMLNode(name: local, text: "", children: []))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let node = stack.popLast() else { return }
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }
}
