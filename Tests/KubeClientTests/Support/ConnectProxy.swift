import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A minimal HTTP `CONNECT` proxy on 127.0.0.1 for tests: it answers each `CONNECT host:port`
/// for a 127.0.0.1 target with `200`, relays bytes both ways, and remembers the targets and the
/// `Proxy-Authorization` headers it saw. Anything else gets `403`/`405`.
final class ConnectProxy: Sendable {
    let port: Int
    private let listener: Int32
    private let seen = Mutex<(targets: [String], authorizations: [String])>(([], []))

    /// The `host:port` of every tunnel asked for, in order.
    var targets: [String] { seen.withLock { $0.targets } }
    /// The `Proxy-Authorization` header values received.
    var authorizations: [String] { seen.withLock { $0.authorizations } }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting connections (open tunnels end when their peers close).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread.detachNewThread { [self] in handle(client) }
        }
    }

    private func handle(_ client: Int32) {
        // Read the request head (bounded).
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while head.count < 16_384 {
            let n = read(client, &chunk, chunk.count)
            guard n > 0 else { close(client); return }
            head.append(contentsOf: chunk[0..<n])
            if head.count >= 4, head.indices.dropFirst(3).contains(where: { head[$0 - 3...$0].elementsEqual([13, 10, 13, 10]) }) {
                break
            }
        }
        let text = String(decoding: head, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        let authorization = lines.first { $0.lowercased().hasPrefix("proxy-authorization:") }
            .map { String($0.dropFirst("proxy-authorization:".count)).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3, parts[0] == "CONNECT" else {
            respond(client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        }
        let target = String(parts[1])
        seen.withLock {
            $0.targets.append(target)
            if let authorization { $0.authorizations.append(authorization) }
        }
        let hostPort = target.split(separator: ":")
        guard hostPort.count == 2, hostPort[0] == "127.0.0.1", let targetPort = UInt16(hostPort[1]) else {
            respond(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        }
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = targetPort.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard upstream >= 0, connected == 0 else {
            if upstream >= 0 { close(upstream) }
            respond(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        }
        let reply = Array("HTTP/1.1 200 Connection Established\r\n\r\n".utf8)
        _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        // The client waits for the 200 before sending, so nothing follows the head.
        let otherDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            Self.relay(from: upstream, to: client)
            otherDone.signal()
        }
        Self.relay(from: client, to: upstream)
        otherDone.wait()
        close(upstream)
        close(client)
    }

    private func respond(_ client: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        close(client)
    }

    /// Copies until end of file, then shuts down the writing direction.
    private static func relay(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(source, &buffer, buffer.count)
            guard n > 0 else { break }
            var offset = 0
            while offset < n {
                let written = buffer[offset..<n].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
                guard written > 0 else { break }
                offset += written
            }
            if offset < n { break }
        }
        shutdown(destination, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
    }
}
