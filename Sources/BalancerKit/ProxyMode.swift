/// How the balancer proxies: per connection (what the study's haproxy did)
/// or per request on kept-alive backend connections.
public enum ProxyMode: String, Sendable, CaseIterable {
    case tcp, http
}
