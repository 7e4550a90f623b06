import ArgumentParser; import ClusterSim; import KubeClient; import AWSClient
