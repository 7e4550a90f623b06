import Metrics
import Foundation
import Logging
import MendTime
import Synchronization

/// Watches a program's configuration file and applies valid changes without a restart; an
/// invalid change is refused and the running configuration stays (a bad commit in git never
/// takes healing down).
///
/// The file is read on a timer of the injected clock and compared by content, not by
/// modification time, so Kubernetes' ConfigMap volume updates, which swap the `..data` symlink
/// to a new directory, are seen like any edit. Each outcome is reported:
/// - a log line (`notice` for an applied change, `error` with the loader's `file:line:col`
///   message for a refused one),
/// - `mend_config_reloads_total{result="success|failure"}` and
///   `mend_config_last_reload_successful` (1 or 0),
/// - `onFailure`, where a program can record a Kubernetes Event.
///
/// ```swift
/// let reloader = ConfigReloader(path: path, clock: clock, logger: logger,
///     load: { text, source in try ConfigLoader.load(DrainerConfig.self, yaml: text, source: source) },
///     apply: { config in await reconciler.apply(config.policy) })
/// let config = try reloader.loadInitial()   // start-up: errors end the program
/// // ... later, in the program's task group:
/// await reloader.run()                       // until cancelled
/// ```
public final class ConfigReloader<Config: Sendable>: Sendable {
    /// What one check of the file found.
    public enum Outcome: Sendable, Equatable {
        /// The content is what runs now (or what was last refused).
        case unchanged
        /// A valid new configuration was applied.
        case applied
        /// The new content is invalid (or unreadable); the running configuration stays.
        case refused(message: String)
    }

    /// A refused change, for a program that records it (e.g. as an Event).
    public struct Failure: Sendable, Hashable {
        /// The watched path.
        public var path: String
        /// The loader's message (`file:line:col: field: got ..., expected ...`).
        public var message: String
    }

    /// The watched path (a symlink into a ConfigMap volume is followed on every read).
    public let path: String
    /// How often the file is read.
    public let interval: Duration

    private let clock: any MendClock
    private let logger: Logger
    private let load: @Sendable (_ text: String, _ source: String) throws -> Config
    private let apply: @Sendable (Config) async -> Void
    private let onFailure: (@Sendable (Failure) async -> Void)?
    private let successes: Counter
    private let failures: Counter
    private let lastSuccessful: Gauge
    private let state = Mutex(State())

    private struct State {
        /// The content of the configuration in force.
        var current: String?
        /// The content (or read error) last refused, so one bad edit is reported once.
        var refused: String?
    }

    /// - Parameters:
    ///   - path: the configuration file.
    ///   - interval: time between reads (on `clock`).
    ///   - factory: where the metrics live (default: the process's metrics system).
    ///   - load: decodes and validates text read from `source`; throws the loader's error.
    ///   - apply: puts a valid new configuration into force.
    ///   - onFailure: told about each refused change once.
    public init(
        path: String, interval: Duration = .seconds(10), clock: any MendClock = SystemClock(), logger: Logger,
        factory: (any MetricsFactory)? = nil,
        load: @escaping @Sendable (_ text: String, _ source: String) throws -> Config,
        apply: @escaping @Sendable (Config) async -> Void,
        onFailure: (@Sendable (Failure) async -> Void)? = nil
    ) {
        self.path = path
        self.interval = interval
        self.clock = clock
        self.logger = logger
        self.load = load
        self.apply = apply
        self.onFailure = onFailure
        let factory = factory ?? MetricsSystem.factory
        successes = Counter(label: "mend_config_reloads_total", dimensions: [("result", "success")], factory: factory)
        failures = Counter(label: "mend_config_reloads_total", dimensions: [("result", "failure")], factory: factory)
        lastSuccessful = Gauge(label: "mend_config_last_reload_successful", factory: factory)
    }

    /// Reads and loads the file for start-up, remembering its content as the configuration in
    /// force. Errors are thrown (a program must not start on a bad file) and not counted.
    public func loadInitial() throws -> Config {
        let text = try Self.read(path)
        let config = try load(text, path)
        state.withLock { $0 = State(current: text, refused: nil) }
        lastSuccessful.record(1)
        return config
    }

    /// Checks the file every ``interval`` until the calling task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: interval)
            } catch {
                return
            }
            _ = await check()
        }
    }

    /// Reads the file once and applies, refuses or ignores what it finds.
    @discardableResult
    public func check() async -> Outcome {
        let text: String
        do {
            text = try Self.read(path)
        } catch {
            return await refuse(key: "unreadable: \(error)", message: "\(error)")
        }
        let (current, refused) = state.withLock { ($0.current, $0.refused) }
        if text == current {
            if refused != nil {
                // Back to the configuration in force (a bad edit was reverted).
                state.withLock { $0.refused = nil }
                lastSuccessful.record(1)
                logger.notice("configuration file is back to the configuration in force", metadata: ["path": "\(path)"])
            }
            return .unchanged
        }
        if text == refused { return .unchanged }
        let config: Config
        do {
            config = try load(text, path)
        } catch {
            return await refuse(key: text, message: "\(error)")
        }
        await apply(config)
        state.withLock { $0 = State(current: text, refused: nil) }
        successes.increment()
        lastSuccessful.record(1)
        logger.notice("configuration reloaded", metadata: ["path": "\(path)"])
        return .applied
    }

    private func refuse(key: String, message: String) async -> Outcome {
        let first = state.withLock { s -> Bool in
            guard s.refused != key else { return false }
            s.refused = key
            return true
        }
        guard first else { return .unchanged }
        failures.increment()
        lastSuccessful.record(0)
        logger.error(
            "configuration change refused; the running configuration stays", metadata: ["path": "\(path)", "error": "\(message)"])
        await onFailure?(Failure(path: path, message: message))
        return .refused(message: message)
    }

    /// The file's text, following symlinks (a ConfigMap mount's `..data` swap is seen at once).
    static func read(_ path: String) throws(ConfigError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(file: path, reason: ConfigLoader.reason(error))
        }
    }
}
