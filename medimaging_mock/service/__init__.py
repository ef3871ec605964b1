"""The service layer: one function per operation, typed params in, plain dict out; no HTTP.
`calls.call` is its entry."""
