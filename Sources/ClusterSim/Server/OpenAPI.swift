import KubeModels

/// A minimal OpenAPI v3 surface: enough for kubectl to see that every resource's PATCH accepts
/// `fieldValidation`, so it validates on the server (which accepts the objects as they are)
/// instead of downloading schemas ClusterSim does not have. No type schemas are served.
enum OpenAPI {
    static func path(for groupVersion: (group: String, version: String)) -> String {
        groupVersion.group.isEmpty ? "api/\(groupVersion.version)" : "apis/\(groupVersion.group)/\(groupVersion.version)"
    }

    /// `GET /openapi/v3`: one entry per served group version.
    static func index(_ catalog: ResourceCatalog) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for group in catalog.groups {
            for version in group.versions {
                let p = path(for: (group.name, version))
                paths[p] = ["serverRelativeURL": .string("/openapi/v3/\(p)?hash=clustersim")]
            }
        }
        return ["paths": .object(paths)]
    }

    /// `GET /openapi/v3/api/v1` etc.: PATCH operations tagged with their group-version-kind.
    static func document(_ catalog: ResourceCatalog, group: String, version: String) -> JSONValue? {
        let resources = catalog.resources.filter { $0.group == group && $0.serves(version: version) }
        guard !resources.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        let prefix = "/" + path(for: (group, version))
        for r in resources {
            let item = r.namespaced ? "\(prefix)/namespaces/{namespace}/\(r.plural)/{name}" : "\(prefix)/\(r.plural)/{name}"
            let gvk: JSONValue = ["group": .string(group), "version": .string(version), "kind": .string(r.kind)]
            let parameters: JSONValue = [
                ["name": "dryRun", "in": "query", "schema": ["type": "string"]],
                ["name": "fieldManager", "in": "query", "schema": ["type": "string"]],
                ["name": "fieldValidation", "in": "query", "schema": ["type": "string"]],
                ["name": "force", "in": "query", "schema": ["type": "boolean"]],
            ]
            paths[item] = [
                "patch": [
                    "operationId": .string("patch\(r.kind)"),
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": gvk,
                    "parameters": parameters,
                    "responses": ["200": ["description": "OK"]],
                ],
            ]
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes (ClusterSim)", "version": .string(Discovery.kubernetesVersion.git)],
            "paths": .object(paths),
            "components": ["schemas": .object([:])],
        ]
    }
}
