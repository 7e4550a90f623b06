/// # ClusterSim
///
/// Mend's own Kubernetes API server: an in-memory store with the API server's REST semantics,
/// served over real HTTP(S) on 127.0.0.1 so that Mend's programs, KubeClient and the real
/// `kubectl` all drive it unchanged.
///
/// The parts, from the inside out:
///
/// - ``ClusterStore`` (`Store/`): objects as lossless JSON, one global resourceVersion, watch
///   history with compaction, optimistic concurrency, generation, status isolation, graceful
///   deletion, finalizers, owner-reference garbage collection, label and field selectors, paging.
///   Its Swift API is what the simulation (scheduler, kubelets, controllers) builds on.
/// - Patches (`Patch/`): JSON merge patch, JSON patch, strategic merge patch with the API's
///   patch metadata, and a simplified server-side apply.
/// - Policy (`Policy/`): the eviction subresource's decision and the disruption controller that
///   keeps PodDisruptionBudget status current; the binding subresource.
/// - The HTTP layer (`Server/`): routing, discovery, server-side tables, a minimal OpenAPI v3,
///   watch streaming with bounded per-watcher buffers.
/// - ``ClusterSimServer``: starts and stops the server (TLS and authentication optional), with an
///   ``AuditLog`` of every write, a ``FaultInjector`` and kubeconfig writing.
///
/// ```swift
/// var configuration = ClusterSimServer.Configuration()
/// configuration.tls = true
/// configuration.tokens = ["secret": "admin"]
/// let server = try await ClusterSimServer.start(configuration)
/// let kubeconfig = try server.writeKubeconfig()      // for kubectl or KubeClient
/// server.faults.failNext(2, code: 429, retryAfterSeconds: 1, matching: .init(verb: "list", resource: "pods"))
/// ...
/// #expect(server.audit.writes.isEmpty)               // "the dry run wrote nothing"
/// try await server.shutdown()
/// ```
enum ClusterSimOverview {}
