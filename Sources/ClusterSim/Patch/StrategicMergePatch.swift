import KubeModels

/// Kubernetes strategic merge patch over JSON values, driven by ``PatchSchema``.
///
/// Supports the directives kubectl sends: `$patch: replace|delete|merge` on maps and list
/// elements, `$retainKeys`, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`.
struct StrategicMergePatch {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let schema: PatchSchema

    func apply(_ patch: JSONValue, to original: JSONValue) throws(Failure) -> JSONValue {
        guard case .object(let patchMap) = patch else { throw Failure(description: "strategic merge patch must be an object") }
        return .object(try mergeMap(original.objectValue ?? [:], patchMap, path: "") ?? [:])
    }

    /// Merges `patch` into `original`; `nil` means "delete this map".
    private func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue],
                          path: String) throws(Failure) -> [String: JSONValue]? {
        var patch = patch
        if let directive = patch.removeValue(forKey: "$patch")?.stringValue {
            switch directive {
            case "replace": return stripDirectives(patch)
            case "delete": return nil
            case "merge": break
            default: throw Failure(description: "Unknown patch type: \(directive) in map: \(path)")
            }
        }
        var retainKeys: [String]?
        if let retain = patch.removeValue(forKey: "$retainKeys") {
            guard let keys = retain.arrayValue?.compactMap(\.stringValue) else {
                throw Failure(description: "$retainKeys must be a list of strings")
            }
            retainKeys = keys
        }
        var result = original
        var orders: [String: [JSONValue]] = [:]
        for (key, value) in patch {
            if key.hasPrefix("$setElementOrder/") {
                orders[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue ?? []
                continue
            }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let remove = value.arrayValue ?? []
                if let list = result[field]?.arrayValue {
                    result[field] = .array(list.filter { !remove.contains($0) })
                }
                continue
            }
        }
        for (key, value) in patch where !key.hasPrefix("$") {
            let childPath = path.isEmpty ? key : path + "." + key
            if value.isNull {
                result[key] = nil
                continue
            }
            switch value {
            case .object(let patchChild):
                let merged = try mergeMap(result[key]?.objectValue ?? [:], patchChild, path: childPath)
                result[key] = merged.map { .object($0) }
            case .array(let patchList):
                result[key] = .array(try mergeList(result[key]?.arrayValue, patchList, path: childPath))
            default:
                result[key] = value
            }
        }
        for (field, order) in orders {
            guard let list = result[field]?.arrayValue else { continue }
            result[field] = .array(reorder(list, by: order, strategy: schema.strategy(for: path.isEmpty ? field : path + "." + field)))
        }
        if let retainKeys {
            let keep = Set(retainKeys)
            result = result.filter { keep.contains($0.key) }
        }
        return result
    }

    private func mergeList(_ original: [JSONValue]?, _ patch: [JSONValue], path: String) throws(Failure) -> [JSONValue] {
        switch schema.strategy(for: path) {
        case nil:
            return patch.map(stripDirectives)
        case .mergePrimitives:
            var result = original ?? []
            for item in patch where !result.contains(item) { result.append(item) }
            return result
        case .mergeByKey(let mergeKey):
            // `[{"$patch": "replace"}, ...]` replaces the whole list.
            if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
                return patch.filter { $0["$patch"]?.stringValue != "replace" }.map(stripDirectives)
            }
            var result = original ?? []
            for item in patch {
                guard case .object(var patchItem) = item else {
                    throw Failure(description: "a list merged by \(mergeKey) (\(path)) must hold objects")
                }
                let directive = patchItem["$patch"]?.stringValue
                guard let keyValue = patchItem[mergeKey] else {
                    throw Failure(description: "map: \(item) does not contain declared merge key: \(mergeKey)")
                }
                let index = result.firstIndex { $0[mergeKey] == keyValue }
                if directive == "delete" {
                    result.removeAll { $0[mergeKey] == keyValue }
                    continue
                }
                if directive == "replace" {
                    patchItem["$patch"] = nil
                    if let index { result[index] = .object(stripDirectives(patchItem)) } else { result.append(.object(stripDirectives(patchItem))) }
                    continue
                }
                if let index {
                    let merged = try mergeMap(result[index].objectValue ?? [:], patchItem, path: path)
                    if let merged { result[index] = .object(merged) } else { result.remove(at: index) }
                } else if let merged = try mergeMap([:], patchItem, path: path) {
                    result.append(.object(merged))
                }
            }
            return result
        }
    }

    private func reorder(_ list: [JSONValue], by order: [JSONValue], strategy: PatchSchema.ListStrategy?) -> [JSONValue] {
        let identify: (JSONValue) -> JSONValue = { item in
            if case .mergeByKey(let key)? = strategy { return item[key] ?? item }
            return item
        }
        let wanted = order.map(identify)
        var ordered: [JSONValue] = []
        var remaining = list
        for id in wanted {
            if let i = remaining.firstIndex(where: { identify($0) == id }) { ordered.append(remaining.remove(at: i)) }
        }
        return ordered + remaining
    }

    private func stripDirectives(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return .object(stripDirectives(members))
        case .array(let items): return .array(items.map(stripDirectives))
        default: return value
        }
    }

    private func stripDirectives(_ members: [String: JSONValue]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for (k, v) in members where !k.hasPrefix("$") { result[k] = stripDirectives(v) }
        return result
    }
}
