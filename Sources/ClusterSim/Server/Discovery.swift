import KubeModels

/// Legacy discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`).
///
/// Aggregated discovery is not served: clients asking for it get the legacy documents with
/// `Content-Type: application/json`, which client-go (kubectl) accepts as "not aggregated".
enum Discovery {
    static let kubernetesVersion = (major: "1", minor: "32", git: "v1.32.0")

    static func version() -> JSONValue {
        [
            "major": .string(kubernetesVersion.major), "minor": .string(kubernetesVersion.minor),
            "gitVersion": .string(kubernetesVersion.git + "+clustersim"), "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0",
            "compiler": "gc", "platform": "linux/amd64",
        ]
    }

    static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    static func groupValue(_ name: String, versions: [String]) -> JSONValue {
        let list: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return ["name": .string(name), "versions": .array(list), "preferredVersion": list.first ?? .null]
    }

    static func groups(_ catalog: ResourceCatalog) -> JSONValue {
        let groups = catalog.groups.filter { !$0.name.isEmpty }.map { groupValue($0.name, versions: $0.versions) }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    static func group(_ catalog: ResourceCatalog, name: String) -> JSONValue? {
        guard let group = catalog.groups.first(where: { $0.name == name }) else { return nil }
        var value = groupValue(group.name, versions: group.versions)
        value["kind"] = "APIGroup"
        value["apiVersion"] = "v1"
        return value
    }

    static let allVerbs: [JSONValue] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    static func resourceList(_ catalog: ResourceCatalog, group: String, version: String) -> JSONValue {
        var resources: [JSONValue] = []
        for r in catalog.resources where r.group == group && r.serves(version: version) {
            var entry: JSONValue = [
                "name": .string(r.plural), "singularName": .string(r.singular), "namespaced": .bool(r.namespaced),
                "kind": .string(r.kind), "verbs": .array(allVerbs),
            ]
            if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
            if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
            resources.append(entry)
            for sub in r.subresources {
                var subEntry: JSONValue = ["name": .string("\(r.plural)/\(sub)"), "singularName": "", "namespaced": .bool(r.namespaced)]
                switch sub {
                case "status":
                    subEntry["kind"] = .string(r.kind)
                    subEntry["verbs"] = ["get", "patch", "update"]
                case "eviction":
                    subEntry["group"] = "policy"
                    subEntry["version"] = "v1"
                    subEntry["kind"] = "Eviction"
                    subEntry["verbs"] = ["create"]
                case "binding":
                    subEntry["kind"] = "Binding"
                    subEntry["verbs"] = ["create"]
                default:
                    continue
                }
                resources.append(subEntry)
            }
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(resources)]
    }
}
