/// The form fields of a Query protocol request, in the order they were added.
///
/// Auto Scaling and STS flatten lists as `Name.member.N` (and nested `Filters.member.1.Values.member.1`);
/// EC2 flattens them as `Name.N` (`Filter.1.Value.1`). The two helpers keep that difference in one place.
struct QueryParameters: Sendable {
    private(set) var pairs: [(String, String)] = []

    mutating func set(_ name: String, _ value: String?) {
        if let value { pairs.append((name, value)) }
    }

    mutating func set(_ name: String, _ value: Int?) {
        if let value { pairs.append((name, String(value))) }
    }

    mutating func set(_ name: String, _ value: Bool?) {
        if let value { pairs.append((name, value ? "true" : "false")) }
    }

    /// `name.member.1=a&name.member.2=b` (Auto Scaling, STS).
    mutating func memberList(_ name: String, _ values: [String]) {
        for (index, value) in values.enumerated() { pairs.append(("\(name).member.\(index + 1)", value)) }
    }

    /// `name.1=a&name.2=b` (EC2).
    mutating func ec2List(_ name: String, _ values: [String]) {
        for (index, value) in values.enumerated() { pairs.append(("\(name).\(index + 1)", value)) }
    }

    /// The form body: `Action`, `Version`, then the fields.
    func body(action: String, version: String) -> [UInt8] {
        Array(URIEncoding.formEncode([("Action", action), ("Version", version)] + pairs).utf8)
    }
}
