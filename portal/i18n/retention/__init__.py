"""Messages of retention periods, the trash and data protection requests (DSGVO)."""
