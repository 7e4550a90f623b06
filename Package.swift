// swift-tools-version: 6.1
import PackageDescription

/// Mend: self-healing for Kubernetes on AWS.
///
/// Libraries hold all behaviour; the executables are thin shells over them.
/// See `README.md` for the layout and what each module does.
let package = Package(
    name: "mend",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mend", targets: ["mend"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "AWSClient", targets: ["AWSClient"]),
        .library(name: "ClusterSim", targets: ["ClusterSim"]),
        .library(name: "MendCore", targets: ["MendCore"]),
        .executable(name: "mend-detector", targets: ["mend-detector"]),
        .executable(name: "mend-autoscaler", targets: ["mend-autoscaler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // MARK: Injectable time (system, manual for tests, accelerated for demos).
        .target(name: "MendTime"),
        // MARK: Kubernetes API types (no I/O): JSON values, quantities, selectors, typed models.
        .target(
            name: "KubeModels"
        ),
        // MARK: The typed Kubernetes client.
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeModels",
                "MendTime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // MARK: The AWS client (SigV4, credentials, Auto Scaling, EC2, STS).
        .target(
            name: "AWSClient",
            dependencies: [
                "MendTime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // MARK: Scheduling predicates shared by the autoscaler and ClusterSim.
        .target(
            name: "Scheduling",
            dependencies: ["KubeModels"]
        ),
        // MARK: The autoscaler's decisions: node groups, templates, estimator, expanders, scale-up/down.
        .target(
            name: "Autoscaler",
            dependencies: [
                "KubeModels", "Scheduling", "MendTime", "AWSClient", "Drainer", "KubeClient", "MendCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // MARK: ClusterSim: in-memory Kubernetes API server and simulation.
        .target(
            name: "ClusterSim",
            dependencies: [
                "Autoscaler",
                "KubeClient",
                "KubeModels",
                "Scheduling",
                "MendTime",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // MARK: MendCore: config, the one write path, health/metrics server, logging, lifecycle.
        .target(
            name: "MendCore",
            dependencies: [
                "KubeModels",
                "KubeClient",
                "MendTime",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // MARK: Detector: log sources, rule engine (upstream NPD format), condition tracker, exporters.
        .target(
            name: "Detector",
            dependencies: [
                "KubeClient",
                "KubeModels",
                "MendCore",
                "MendTime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .executableTarget(
            name: "mend-detector",
            dependencies: [
                "Detector",
                "KubeClient",
                "KubeModels",
                "MendCore",
                "MendTime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "DetectorBenchmarks",
            dependencies: [
                "Detector", "KubeClient", "ClusterSim", "MendCore", "MendTime",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/DetectorBenchmarks"
        ),
        // MARK: Drainer: cordon and drain sick nodes (policy, evictor, safety budget, reconciler).
        .target(
            name: "Drainer",
            dependencies: [
                "KubeModels",
                "KubeClient",
                "MendCore",
                "MendTime",
                "Scheduling",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // MARK: Executables.
        .executableTarget(
            name: "mend-drainer",
            dependencies: [
                "Drainer",
                "KubeClient",
                "MendCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // MARK: The whole chain in one process on ClusterSim, for `mend demo`.
        .target(
            name: "MendDemo",
            dependencies: [
                "ClusterSim", "Detector", "Drainer", "Autoscaler", "KubeClient", "KubeModels", "MendCore", "MendTime",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "mend-autoscaler",
            dependencies: [
                "Autoscaler", "AWSClient", "KubeClient", "KubeModels", "MendCore", "MendTime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "mend",
            dependencies: [
                "MendDemo",
                "ClusterSim",
                "KubeClient",
                "AWSClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // MARK: Benchmarks (figures for people, not timed tests).
        .executableTarget(
            name: "AWSClientBenchmarks",
            dependencies: [
                "AWSClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/AWSClientBenchmarks"
        ),
        .executableTarget(
            name: "DrainerBenchmarks",
            dependencies: [
                "Drainer", "ClusterSim", "KubeClient", "KubeModels", "MendCore", "MendTime",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/DrainerBenchmarks"
        ),
        .executableTarget(
            name: "KubeClientBenchmarks",
            dependencies: [
                "KubeClient", "KubeModels", "ClusterSim", "KubeBenchmarkFixtures",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/KubeClientBenchmarks"
        ),
        // `swift run -c release KubeModelsBenchmarks`: decode and memory figures, KubeModels only.
        .executableTarget(
            name: "KubeModelsBenchmarks",
            dependencies: ["KubeModels", "KubeBenchmarkFixtures"],
            path: "Benchmarks/KubeModelsBenchmarks"
        ),
        .target(name: "KubeBenchmarkFixtures", dependencies: ["KubeModels"], path: "Benchmarks/KubeBenchmarkFixtures"),
        // `swift run -c release ClusterSimBenchmarks`
        .executableTarget(
            name: "ClusterSimBenchmarks",
            dependencies: ["ClusterSim", "KubeModels"],
            path: "Benchmarks/ClusterSimBenchmarks"
        ),
        .executableTarget(
            name: "AutoscalerBenchmarks",
            dependencies: [
                "Autoscaler", "KubeModels", "Scheduling", "ClusterSim", "KubeClient", "MendCore", "MendTime",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/AutoscalerBenchmarks"
        ),
        // MARK: Tests.
        .testTarget(name: "MendTimeTests", dependencies: ["MendTime"]),
        .testTarget(name: "KubeModelsTests", dependencies: ["KubeModels", "MendTime"]),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "ClusterSim"]),
        // Helpers shared by the test targets (running the built programs, kubectl, moto).
        .target(name: "MendTestSupport", path: "Tests/MendTestSupport"),
        // moto and a scripted AWS endpoint, and the AWS setup calls, for the tests that talk to AWS.
        .target(name: "AWSTestSupport", dependencies: [
            "AWSClient", "MendTime",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], path: "Tests/AWSTestSupport"),
        .testTarget(name: "AWSClientTests", dependencies: [
            "AWSClient",
            "MendTime",
            "MendTestSupport",
            "AWSTestSupport",
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling"]),
        .testTarget(name: "DrainerTests", dependencies: [
            "Drainer", "KubeClient", "KubeModels", "MendCore", "MendTime", "ClusterSim",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "AutoscalerTests", dependencies: [
            "Autoscaler", "Scheduling", "KubeModels", "MendTime", "ClusterSim", "KubeClient", "MendCore", "Drainer", "AWSClient", "AWSTestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "AutoscalerRuntimeTests", dependencies: [
            "Autoscaler", "AWSClient", "ClusterSim", "KubeClient", "KubeModels", "MendCore", "MendTime", "Scheduling", "MendTestSupport",
            "AWSTestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(
            name: "ClusterSimTests",
            dependencies: [
                "ClusterSim", "KubeModels", "MendTime", "MendTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(name: "MendCoreTests", dependencies: [
            "MendCore", "ClusterSim", "KubeClient", "KubeModels", "MendTime",
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "MendDemoTests", dependencies: ["MendDemo", "ClusterSim", "KubeModels", "MendTestSupport"]),
        .testTarget(name: "DetectorTests", dependencies: [
            "Detector", "ClusterSim", "KubeClient", "KubeModels", "MendCore", "MendTime", "MendTestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // Reads the repository's chart, manifests, alerts and runbooks; runs the built programs' validate.
        .testTarget(name: "DeploymentTests", dependencies: [.product(name: "Yams", package: "Yams")]),
    ]
)
