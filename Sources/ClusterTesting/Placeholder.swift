// ClusterTesting: under construction
