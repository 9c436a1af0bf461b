"""Messages shown when a request fails: a service unreachable, an unexpected error."""
