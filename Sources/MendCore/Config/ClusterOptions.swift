import ArgumentParser
import KubeClient
import Logging

/// The flags that pick the cluster (`--kubeconfig`, `--context`), shared by the programs'
/// commands; include with `@OptionGroup var clusterOptions: ClusterOptions`.
public struct ClusterOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "A kubeconfig file (default: in-cluster, then $KUBECONFIG, then ~/.kube/config).")
    public var kubeconfig: String?

    @Option(name: .long, help: "The kubeconfig context to use.")
    public var context: String?

    public init() {}

    /// A client of the chosen cluster whose User-Agent names `program`.
    public func makeClient(program: String, version: String = "0.1.0") throws -> KubernetesClient {
        let configuration = try KubeConfiguration.automatic(kubeconfig: kubeconfig, context: context)
        return try KubernetesClient(
            configuration: configuration,
            options: KubeClientOptions(userAgent: UserAgent.make(program: program, version: version)),
            logger: Logger(label: "\(program).kube"))
    }
}
