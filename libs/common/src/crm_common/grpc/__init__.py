"""gRPC plumbing: server bootstrap, interceptors, client factory, error mapping."""
