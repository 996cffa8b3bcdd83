// BalancerKit: under construction
