"""Messages of the audit trail: the client's "Protokoll" tab and its exports."""
