# Sourced by the acceptance runner before the container scenarios: waits until the local node
# is Ready and the cluster DNS answers (a fresh agent builds its images first).
eventually 300 "node Ready" ' Ready ' k get nodes --no-headers
eventually 300 "coredns ready" '1/1' k -n kube-system get deploy coredns --no-headers
