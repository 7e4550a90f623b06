import Foundation
import KubeModels

/// Listing: ordered keys, namespace ranges, paging with continue tokens.
extension StoreState {
    mutating func sortedKeys(_ key: String) -> [String] {
        if let keys = tables[key]?.sortedKeys { return keys }
        let keys = (tables[key]?.objects.keys).map { $0.sorted() } ?? []
        tables[key, default: Table()].sortedKeys = keys
        return keys
    }

    mutating func list(_ resource: ResourceDescriptor, options: ListOptions) throws(APIError) -> ListPage {
        let key = Self.tableKey(resource)
        var startAfter: String?
        if let token = options.continueToken, !token.isEmpty {
            let decoded = try ContinueToken.decode(token)
            if decoded.revision <= listsExpiredThrough {
                throw APIError.expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
            }
            startAfter = decoded.lastKey
        }
        let keys = sortedKeys(key)
        let objects = tables[key]?.objects ?? [:]
        var start = 0
        var prefixEnd = keys.count
        if resource.namespaced, let ns = options.filter.namespace {
            // Keys are "ns/name": the namespace is one contiguous run.
            let prefix = ns + "/"
            start = Self.lowerBound(keys, prefix)
            prefixEnd = Self.lowerBound(keys, ns + "0")  // "0" sorts right after "/"
        }
        if let startAfter {
            start = max(start, Self.upperBound(keys, startAfter))
        }
        var items: [StoredObject] = []
        var index = start
        let limit = options.limit > 0 ? options.limit : Int.max
        while index < prefixEnd, items.count < limit {
            if let object = objects[keys[index]], options.filter.matches(object) { items.append(object) }
            index += 1
        }
        var token: String?
        var remaining: Int?
        if items.count == limit, index < prefixEnd {
            if options.filter.labels == nil, options.filter.fields.isEmpty {
                // Every key in range matches: the count is known without looking.
                token = ContinueToken(revision: revision, lastKey: keys[index - 1]).encoded
                remaining = prefixEnd - index
            } else {
                // With selectors the API server does not count the rest; only promise more if one matches.
                var probe = index
                while probe < prefixEnd {
                    if let object = objects[keys[probe]], options.filter.matches(object) {
                        token = ContinueToken(revision: revision, lastKey: keys[index - 1]).encoded
                        break
                    }
                    probe += 1
                }
            }
        }
        return ListPage(items: items, resourceVersion: revision, continueToken: token, remainingItemCount: remaining)
    }

    static func lowerBound(_ keys: [String], _ value: String) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    static func upperBound(_ keys: [String], _ value: String) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
