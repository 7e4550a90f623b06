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

    /// The watched path (a symlink into a ConfigMap volume is followed on every read); with several
    /// files, their paths joined by ", ".
    public let path: String
    /// Every watched file (one, unless made with ``init(paths:interval:clock:logger:factory:load:apply:onFailure:)``).
    public let paths: [String]
    /// How often the file is read.
    public let interval: Duration

    private let clock: any MendClock
    private let logger: Logger
    private let load: @Sendable (_ files: [(text: String, source: String)]) throws -> Config
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
    public convenience init(
        path: String, interval: Duration = .seconds(10), clock: any MendClock = SystemClock(), logger: Logger,
        factory: (any MetricsFactory)? = nil,
        load: @escaping @Sendable (_ text: String, _ source: String) throws -> Config,
        apply: @escaping @Sendable (Config) async -> Void,
        onFailure: (@Sendable (Failure) async -> Void)? = nil
    ) {
        self.init(paths: [path], interval: interval, clock: clock, logger: logger, factory: factory,
                  load: { files in try load(files[0].text, files[0].source) }, apply: apply, onFailure: onFailure)
    }

    /// Watches several files that make one configuration (e.g. mend-detector's monitor files): a
    /// change to any of them loads all of them together, so checks across files (a condition type
    /// claimed twice) refuse the change as a whole.
    ///
    /// - Parameter load: decodes and validates the files' texts (in `paths` order, each with its path).
    public init(
        paths: [String], interval: Duration = .seconds(10), clock: any MendClock = SystemClock(), logger: Logger,
        factory: (any MetricsFactory)? = nil,
        load: @escaping @Sendable (_ files: [(text: String, source: String)]) throws -> Config,
        apply: @escaping @Sendable (Config) async -> Void,
        onFailure: (@Sendable (Failure) async -> Void)? = nil
    ) {
        precondition(!paths.isEmpty, "a ConfigReloader watches at least one file")
        self.paths = paths
        self.path = paths.joined(separator: ", ")
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
        let files = try readAll()
        let config = try load(files)
        let text = Self.key(files)
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
        let files: [(text: String, source: String)]
        do {
            files = try readAll()
        } catch {
            return await refuse(key: "unreadable: \(error)", message: "\(error)")
        }
        let text = Self.key(files)
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
            config = try load(files)
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

    private func readAll() throws(ConfigError) -> [(text: String, source: String)] {
        var files: [(text: String, source: String)] = []
        for path in paths { files.append((try Self.read(path), path)) }
        return files
    }

    /// What identifies the content in force: the text itself for one file; each text with its
    /// length for several (so no two different sets of files give the same key).
    private static func key(_ files: [(text: String, source: String)]) -> String {
        files.count == 1 ? files[0].text : files.map { "\($0.text.utf8.count):\($0.text)" }.joined()
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
