import KubeModels

/// Turns `labelSelector` / `fieldSelector` query strings into store filters, using KubeModels'
/// parsers; errors become 400 BadRequest as the API server answers them.
enum SelectorSupport {
    static func labelPredicate(_ text: String) throws(APIError) -> @Sendable ([String: String]) -> Bool {
        let query: LabelQuery
        do { query = try LabelQuery(parsing: text) } catch {
            throw APIError.badRequest("unable to parse requirement: \(error.description)")
        }
        return { labels in query.matches(labels) }
    }

    static func fieldRequirements(_ text: String, resource: ResourceDescriptor) throws(APIError) -> [ObjectFilter.FieldRequirement] {
        let selector: FieldSelector
        do { selector = try FieldSelector(parsing: text) } catch {
            throw APIError.badRequest("invalid field selector: \(error.description)")
        }
        let supported = Set(["metadata.name", "metadata.namespace"] + resource.fieldLabels)
        for requirement in selector.requirements where !supported.contains(requirement.field) {
            throw APIError.badRequest("field label not supported: \(requirement.field)")
        }
        return selector.requirements.map {
            ObjectFilter.FieldRequirement(field: $0.field, value: $0.value, negated: $0.operator == .notEquals)
        }
    }
}
