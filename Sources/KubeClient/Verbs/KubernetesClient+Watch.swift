import AsyncHTTPClient
import Foundation
import KubeModels
import NIOCore

extension KubernetesClient {
    /// Opens a watch and returns its events as they arrive.
    ///
    /// The request is set up (with retries for 429/5xx/connection errors, not rate limited) before
    /// this returns, so an immediate refusal such as 410 Gone for a compacted resourceVersion is
    /// thrown here. Afterwards the stream yields `ADDED`/`MODIFIED`/`DELETED`/`BOOKMARK` events and
    /// `ERROR` events (e.g. a 410 Status) as ``WatchEvent/error(_:)``; it finishes when the server
    /// ends the watch (its `timeoutSeconds`) and throws if the connection breaks.
    public func watch<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, options: WatchOptions = WatchOptions()
    ) async throws -> AsyncThrowingStream<WatchEvent<T>, any Error> {
        try await watch(T.self, resource: T.resourceType, namespace: namespace, options: options)
    }

    /// ``watch(_:namespace:options:)`` for any decodable item type (slim projections).
    public func watch<Item: Decodable & Sendable>(
        _ type: Item.Type, resource: ResourceType, namespace: String? = nil, options: WatchOptions = WatchOptions()
    ) async throws -> AsyncThrowingStream<WatchEvent<Item>, any Error> {
        let request = KubeRequest(
            method: .GET, path: try path(resource, namespace: namespace), query: options.queryItems,
            retryClass: .idempotent, rateLimited: false)
        // The server ends the watch at timeoutSeconds; the client deadline is a safety net for a
        // connection that silently died.
        let deadline: Duration = .seconds((options.timeoutSeconds ?? 3600) + 30)
        let response = try await transport.openStream(request, deadline: deadline)
        let reader = WatchLineReader<Item>(body: response.body, request: request.summary)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }
}

/// Splits a streamed watch body into lines and decodes each as one event.
///
/// Only the single consumer of the stream calls ``next()``, one call at a time, which is why the
/// mutable state is safe without a lock.
final class WatchLineReader<Item: Decodable & Sendable>: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var buffer: [UInt8] = []
    private var scanFrom = 0
    private let request: String
    private let decoder = KubeJSONDecoder()

    init(body: HTTPClientResponse.Body, request: String) {
        self.iterator = body.makeAsyncIterator()
        self.request = request
    }

    func next() async throws -> WatchEvent<Item>? {
        while true {
            if let line = takeLine() {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                return try decode(line)
            }
            guard let chunk = try await iterator.next() else {
                // The server ended the watch. A final line without a newline still counts.
                guard !buffer.isEmpty else { return nil }
                let rest = Array(buffer[scanFrom...])
                buffer.removeAll()
                scanFrom = 0
                if rest.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D }) { return nil }
                return try decode(rest[...])
            }
            if scanFrom > 0 && scanFrom >= buffer.count / 2 {
                buffer.removeFirst(scanFrom)
                lineSearchStart -= scanFrom
                scanFrom = 0
            }
            buffer.append(contentsOf: chunk.readableBytesView)
        }
    }

    private var lineSearchStart = 0

    private func takeLine() -> ArraySlice<UInt8>? {
        let start = max(scanFrom, lineSearchStart)
        guard start < buffer.count, let newline = buffer[start...].firstIndex(of: 0x0A) else {
            lineSearchStart = buffer.count
            return nil
        }
        let line = buffer[scanFrom..<newline]
        scanFrom = newline + 1
        lineSearchStart = scanFrom
        return line
    }

    private func decode(_ line: ArraySlice<UInt8>) throws -> WatchEvent<Item> {
        do {
            return try decoder.decode(WatchEvent<Item>.self, from: line)
        } catch {
            throw KubeClientError.decoding(
                request: request, type: "WatchEvent<\(Item.self)>", reason: KubeconfigLoader.reason(error))
        }
    }
}
