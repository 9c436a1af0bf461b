"""Messages of the paging controls under lists that grow."""
